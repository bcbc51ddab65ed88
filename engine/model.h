/* SPDX-License-Identifier: Apache-2.0 */
/* model.h — the engine's verified, FlatBuffer-free description of a model. */
#ifndef SPRY_ENGINE_MODEL_H
#define SPRY_ENGINE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spry/op.h"

/* A table inside the model's FlatBuffer, already checked to lie in bounds
 * (its vtable too). Fields are read with spry_option_*(), which bounds-check
 * every access. */
struct SpryOptionsTable {
  const uint8_t *base;  /* start of the model buffer */
  size_t size;          /* size of the model buffer */
  uint32_t table;       /* offset of the table from base */
};

/* A string field of an options table (VarHandleOptions' names): its bytes
 * inside the model (NUL-terminated there) and their count. False, with
 * *out = NULL and *out_length = 0, when the field is absent or malformed.
 * Engine-private: the public option readers are in <spry/op.h>. */
bool spry_option_string(const SpryOptionsTable *table, int field, const char **out,
                        size_t *out_length);

/* Sparse constant tensors (TFLite's SparsityParameters), verified at open
 * against the tensor's dense shape; engine-private (see sparsity.h). The
 * tensor's data then holds only the stored values, in traversal order. */
typedef enum SpryDimFormat { SPRY_DIM_DENSE = 0, SPRY_DIM_SPARSE_CSR = 1 } SpryDimFormat;

/* One level of the traversal: DENSE levels enumerate `size` positions;
 * SPARSE_CSR levels list, for each position of the level above, the segment
 * [segments[p], segments[p + 1]) of `indices` (copied to int32 from the
 * file's int32/uint16/uint8 vectors). */
typedef struct SprySparseLevel {
  SpryDimFormat format;
  int32_t size;                    /* extent of the level in the blocked shape */
  int32_t *segments;               /* SPARSE_CSR: num_segments entries, owned */
  int32_t num_segments;            /* positions of the level above + 1 */
  int32_t *indices;                /* SPARSE_CSR: each in [0, size), owned */
  int32_t num_indices;             /* = segments[num_segments - 1] */
} SprySparseLevel;

#define SPRY_MAX_SPARSE_LEVELS (2 * SPRY_MAX_RANK)

typedef struct SprySparsity {
  int32_t num_levels;              /* rank + block_rank */
  int32_t traversal_order[SPRY_MAX_SPARSE_LEVELS]; /* first rank: a permutation of the
                                    * dims; then rank, rank + 1, ... (block dims) */
  int32_t block_rank;
  int32_t block_map[SPRY_MAX_RANK];  /* strictly increasing dims that are blocked */
  int32_t block_size[SPRY_MAX_RANK];
  SprySparseLevel levels[SPRY_MAX_SPARSE_LEVELS];
  size_t num_values;               /* stored values: data_size / element size */
} SprySparsity;

typedef struct SpryTensorDesc {
  char *name;                      /* heap, NUL-terminated, never NULL */
  SpryType type;
  int32_t rank;
  int32_t dims[SPRY_MAX_RANK];
  bool has_signature;
  int32_t signature[SPRY_MAX_RANK]; /* -1 marks a dynamic dimension */
  /* Constant data (zero-copy into the model, or an aligned copy owned by the
   * model). NULL when the tensor has no buffer data. Its size equals the
   * element count times the type size (checked at open). */
  const uint8_t *data;
  size_t data_size;
  SpryQuantization quant;          /* arrays owned by the model */
  bool is_variable;
  bool is_sparse;                  /* has SparsityParameters */
  SprySparsity *sparsity;          /* owned; set when is_sparse, in builds with DENSIFY */
} SpryTensorDesc;

typedef struct SpryOperatorDesc {
  int32_t opcode_index;            /* valid index into model->opcodes */
  int32_t *inputs;                 /* each -1 or a valid tensor index */
  int32_t num_inputs;
  int32_t *outputs;                /* each a valid tensor index */
  int32_t num_outputs;
  int32_t *intermediates;
  int32_t num_intermediates;
  uint8_t options_type;            /* BuiltinOptions union type, 0 = none */
  SpryOptionsTable options;        /* valid when options_type != 0 */
  const uint8_t *custom_options;   /* points into the model, NULL when none */
  size_t custom_options_size;
} SpryOperatorDesc;

typedef struct SpryOpCodeDesc {
  int32_t builtin_code;            /* max(deprecated_builtin_code, builtin_code) */
  int32_t version;                 /* >= 1 */
  char *custom_name;               /* heap; NULL for builtin ops */
} SpryOpCodeDesc;

typedef struct SprySubgraphDesc {
  char *name;
  SpryTensorDesc *tensors;
  int32_t num_tensors;
  SpryOperatorDesc *operators;
  int32_t num_operators;
  int32_t *inputs;                 /* valid tensor indices */
  int32_t num_inputs;
  int32_t *outputs;
  int32_t num_outputs;
} SprySubgraphDesc;

typedef struct SpryMetadataDesc {
  char *name;
  const uint8_t *data;             /* points into the model */
  size_t size;
} SpryMetadataDesc;

struct SpryModel {
  const uint8_t *base;             /* whole file / caller buffer */
  size_t size;
  void *mapping;                   /* non-NULL when we mmap'ed the file */
  size_t mapping_size;
  uint32_t version;
  char *description;
  SpryOpCodeDesc *opcodes;
  int32_t num_opcodes;
  SprySubgraphDesc *subgraphs;
  int32_t num_subgraphs;
  SpryMetadataDesc *metadata;
  int32_t num_metadata;
  void **owned_copies;             /* aligned copies of misaligned weights */
  int32_t num_owned_copies;
};

/* Parses and verifies `size` bytes at `base`; on success fills *model (whose
 * mapping fields the caller sets). On failure sets spry_last_error() with
 * which table, which index and what was wrong, and frees everything. */
SpryStatus spry_model_read(const uint8_t *base, size_t size, SpryModel *model);
/* Frees what spry_model_read() allocated (not the mapping). */
void spry_model_release(SpryModel *model);

/* Name used in messages: builtin name, custom name, or "op <code>". */
const char *spry_opcode_name(const SpryOpCodeDesc *opcode);

#endif /* SPRY_ENGINE_MODEL_H */
