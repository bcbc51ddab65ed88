/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fusion.h — a RELU carried out by the convolution before it.
 *
 * MediaPipe's float models follow many CONV_2D and DEPTHWISE_CONV_2D nodes
 * with a RELU node instead of the convolution's fused activation: a second
 * pass over a tensor that often outgrows the caches. Where a float32
 * CONV_2D or DEPTHWISE_CONV_2D output feeds nothing but one RELU and is not
 * an output of its subgraph (nor is either tensor one of its inputs, which
 * the caller fills before earlier nodes run), the engine offers the RELU to the
 * convolution's kernel at prepare (spry_context_fuse_activation). A kernel
 * that takes it clamps its own results at 0, and the RELU node is skipped:
 * its output tensor shares the convolution's buffer, which already holds
 * the RELU's result, bit for bit (both compute max(x, 0) and keep NaN).
 *
 * Nothing is fused under SPRY_ISA=reference. Should the two tensors not
 * be able to share a buffer after all (a shape known only at invoke, a
 * constant result), the RELU runs and computes the same values again:
 * RELU(RELU(x)) = RELU(x). The convolution's own output tensor then holds
 * the values after the RELU, which spry_interpreter_node_output() shows.
 */
#ifndef SPRY_ENGINE_FUSION_H
#define SPRY_ENGINE_FUSION_H

#include <stdbool.h>

#include "spry/op.h"

typedef struct SpryInterpreter SpryInterpreter;

/* Before the nodes are prepared: marks the convolutions to offer a RELU to
 * and the RELUs that may be skipped. */
void spry_fusion_offer(SpryInterpreter *interp);

/* For a kernel's prepare: when the engine offers this node an activation
 * and *activation (the node's own) is NONE, sets *activation to it, records
 * that the kernel applies it, and returns true. */
bool spry_context_fuse_activation(SpryContext *ctx, int *activation);

/* After the nodes are prepared, before the arena is planned: the RELUs
 * whose producer took the offer and whose tensors can share a buffer are
 * marked fused (skipped at invoke, their output aliased to their input). */
void spry_fusion_confirm(SpryInterpreter *interp);

#endif /* SPRY_ENGINE_FUSION_H */
