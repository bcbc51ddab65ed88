/* SPDX-License-Identifier: Apache-2.0 */
/* add_q8.c — table-driven quantized ADD (see add_q8.h). */
#include "add_q8.h"

#include "cpu_isa.h"
#include "work_share.h"
#include "quantization.h"

/* The table index of a stored byte: uint8 as is, int8 shifted by 128. */
static int32_t byte_value(bool is_u8, uint8_t index) {
  return is_u8 ? (int32_t)index : (int32_t)index - 128;
}

static void fill_table(int32_t *table, bool is_u8, int32_t offset, int left_shift,
                       int32_t multiplier, int shift) {
  for (int i = 0; i < 256; i++) {
    const int32_t shifted = spry_shift_left_wrapping(offset + byte_value(is_u8, (uint8_t)i),
                                                     left_shift);
    table[i] = spry_multiply_by_quantized_multiplier_smaller_than_one(shifted, multiplier, shift);
  }
}

SpryStatus spry_add_q8_prepare(SpryContext *ctx, SpryAddQ8 *add, const SpryAddParams *params,
                               bool is_u8) {
  add->active = false;
  if (spry_context_isa(ctx) == SPRY_ISA_REFERENCE) return SPRY_OK;
  int32_t *tables = spry_context_alloc_persistent(ctx, 512 * sizeof *tables);
  if (!tables) return SPRY_ERROR_OUT_OF_MEMORY;
  fill_table(tables, is_u8, params->input1_offset, params->left_shift, params->input1_multiplier,
             params->input1_shift);
  fill_table(tables + 256, is_u8, params->input2_offset, params->left_shift,
             params->input2_multiplier, params->input2_shift);
  add->scaled1 = tables;
  add->scaled2 = tables + 256;
  add->params = *params;
  add->is_u8 = is_u8;
  add->active = true;
  return SPRY_OK;
}

/* The reference's last step: the sum (wrapping) rescaled to the output. */
static uint8_t add_pair(const SpryAddQ8 *add, uint8_t x1, uint8_t x2) {
  const SpryAddParams *p = &add->params;
  const int32_t sum = (int32_t)((uint32_t)add->scaled1[x1] + (uint32_t)add->scaled2[x2]);
  const int32_t raw = spry_multiply_by_quantized_multiplier_smaller_than_one(
                          sum, p->output_multiplier, p->output_shift) +
                      p->output_offset;
  const int32_t v = spry_clamp_i32(raw, p->q_min, p->q_max);
  return add->is_u8 ? (uint8_t)v : (uint8_t)(int8_t)v;
}

/* Byte index of a stored value: the table index for uint8; int8 bytes are
 * reinterpreted and offset. */
static uint8_t table_index(bool is_u8, uint8_t stored) {
  return is_u8 ? stored : (uint8_t)(stored ^ 0x80u);
}

typedef struct AddJob {
  const SpryAddQ8 *add;
  const uint8_t *a, *b;
  uint8_t *out;
  size_t count;
  int32_t shares;
} AddJob;

static void add_share(void *arg, int32_t t) {
  const AddJob *job = arg;
  size_t begin, end;
  spry_work_share(job->count, t, job->shares, &begin, &end);
  const bool u8 = job->add->is_u8;
  for (size_t i = begin; i < end; i++)
    job->out[i] = add_pair(job->add, table_index(u8, job->a[i]), table_index(u8, job->b[i]));
}

void spry_add_q8_run(SpryContext *ctx, const SpryAddQ8 *add, const SpryBroadcast *bc,
                     const void *input1, const void *input2, void *output) {
  const uint8_t *a = input1, *b = input2;
  uint8_t *out = output;
  if (spry_broadcast_is_elementwise(bc)) {
    AddJob job = {.add = add, .a = a, .b = b, .out = out, .count = bc->count,
                  .shares = spry_context_num_threads(ctx)};
    spry_context_parallel_for(ctx, job.shares, add_share, &job);
    return;
  }
  SpryBroadcastIter it;
  spry_broadcast_iter_start(&it);
  for (size_t i = 0; i < bc->count; i++, spry_broadcast_iter_next(bc, &it))
    out[i] = add_pair(add, table_index(add->is_u8, a[it.a]), table_index(add->is_u8, b[it.b]));
}
