/* SPDX-License-Identifier: Apache-2.0 */
/*
 * constant_folding.h — running, once at prepare, nodes whose result is a
 * constant. Models with float16 weights (MediaPipe's) store them as constants
 * behind DEQUANTIZE nodes; folding those gives the next node constant float
 * weights it can pack at prepare, and takes the conversion out of every
 * invoke. WHERE of a constant condition (a mask fixed in the model) is
 * folded too: its output is then an ordinary constant of static shape
 * instead of a dynamic tensor. A folded node's output lives in the node's
 * prepare memory and is marked constant; invoke skips the node.
 */
#ifndef SPRY_ENGINE_CONSTANT_FOLDING_H
#define SPRY_ENGINE_CONSTANT_FOLDING_H

#include "interpreter_internal.h"

/* After a node's prepare: folds it when it is foldable (sets state->folded). */
SpryStatus spry_fold_if_constant(SpryInterpreter *interp, SpryNodeState *state);

/* Before a node is prepared again: its outputs become ordinary tensors. */
void spry_unfold(SpryInterpreter *interp, SpryNodeState *state);

#endif /* SPRY_ENGINE_CONSTANT_FOLDING_H */
