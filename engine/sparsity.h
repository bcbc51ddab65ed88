/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sparsity.h — sparse constant tensors (TFLite's SparsityParameters), private
 * to the engine and its builtin kernels: verified reading at model open, and
 * expansion to the dense tensor (DENSIFY).
 *
 * The format: the dense shape, with block dimensions split off (a dimension
 * d in block_map of block size B becomes d / B outer positions times B
 * inner ones), is walked level by level in traversal order. A DENSE level
 * enumerates all its positions; a SPARSE_CSR level lists, for each position
 * of the level above, which of its own positions are present. The stored
 * values follow in that walk's order, one per leaf.
 *
 * Everything is checked at open, so expansion cannot read or write out of
 * bounds: every level's size matches the (blocked) shape, segments start at
 * 0, never decrease and end at the number of indices, every index is below
 * its level's size, and the leaves equal the stored values.
 */
#ifndef SPRY_ENGINE_SPARSITY_H
#define SPRY_ENGINE_SPARSITY_H

#include <stddef.h>

#include "flatbuffer.h"
#include "model.h"
#include "spry/op.h"

/* Reads the SparsityParameters `table` of a tensor whose shape, type and
 * data are already set in `desc`, verifies it against them and returns an
 * owned description in *out (free with spry_sparsity_free). Entries copied
 * are charged to *budget. INVALID_MODEL (or UNSUPPORTED for valid layouts
 * this engine does not expand) with a message naming the level and entry. */
SpryStatus spry_sparsity_read(const SpryFbTable *table, const SpryTensorDesc *desc,
                              size_t *budget, SprySparsity **out);

/* Frees a description; NULL is allowed. */
void spry_sparsity_free(SprySparsity *sparsity);

/* The sparsity of one of the interpreter's tensors (as a kernel sees it);
 * NULL when the tensor is dense or does not belong to ctx's interpreter. */
const SprySparsity *spry_tensor_sparsity(const SpryContext *ctx, const SpryTensor *tensor);

/* Writes the dense tensor of shape (rank, dims) — checked against the
 * description at open — zeroing it first; `values` holds num_values stored
 * elements of elem_size bytes. */
void spry_sparsity_densify(const SprySparsity *sparsity, int32_t rank, const int32_t *dims,
                           size_t elem_size, const void *values, void *dense);

#endif /* SPRY_ENGINE_SPARSITY_H */
