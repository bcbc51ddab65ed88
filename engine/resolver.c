/* SPDX-License-Identifier: Apache-2.0 */
/* resolver.c — op registries: the builtin table and user-extended resolvers. */
#include "resolver.h"

#include <stdlib.h>
#include <string.h>

#include "status.h"

#define SPRY_BUILTIN_OP(NAME, SYMBOL) extern const SpryOpRegistration SYMBOL;
#include "builtin_ops.h"
#undef SPRY_BUILTIN_OP

static const SpryOpRegistration *builtin_registrations[] = {
#define SPRY_BUILTIN_OP(NAME, SYMBOL) &SYMBOL,
#include "builtin_ops.h"
#undef SPRY_BUILTIN_OP
    NULL,
};

static const SpryResolver builtin_resolver = {
    .registrations = builtin_registrations,
    .count = (int32_t)(sizeof builtin_registrations / sizeof builtin_registrations[0]) - 1,
    .capacity = 0,
};

const SpryResolver *spry_builtin_resolver(void) { return &builtin_resolver; }

SpryStatus spry_resolver_new(SpryResolver **out_resolver) {
  if (!out_resolver) return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "out_resolver is NULL");
  *out_resolver = calloc(1, sizeof **out_resolver);
  if (!*out_resolver) return spry_set_error(SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  return SPRY_OK;
}

static SpryStatus check_registration(const SpryOpRegistration *r) {
  /* Version 1 lacks the trailing `reset` field; the interpreter reads that
   * field only from registrations of version 2 or later. */
  if (r->abi_version < 1 || r->abi_version > SPRY_OP_ABI_VERSION)
    return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT,
                          "op registration has ABI version %u, this library accepts 1 to %u",
                          (unsigned)r->abi_version, (unsigned)SPRY_OP_ABI_VERSION);
  if (!r->invoke)
    return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "op registration has no invoke function");
  if (r->min_version < 1 || r->max_version < r->min_version)
    return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT,
                          "op registration has a bad version range %d..%d", (int)r->min_version,
                          (int)r->max_version);
  if (r->builtin_code == SPRY_BUILTIN_CUSTOM && (!r->custom_name || !r->custom_name[0]))
    return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "custom op registration has no name");
  if (r->builtin_code < 0)
    return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "op registration has builtin code %d",
                          (int)r->builtin_code);
  return SPRY_OK;
}

SpryStatus spry_resolver_add(SpryResolver *resolver, const SpryOpRegistration *registration) {
  if (!resolver || !registration)
    return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "resolver or registration is NULL");
  if (resolver == &builtin_resolver)
    return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "the builtin resolver is read-only");
  SPRY_TRY(check_registration(registration));
  if (resolver->count == resolver->capacity) {
    const int32_t capacity = resolver->capacity ? resolver->capacity * 2 : 64;
    const SpryOpRegistration **grown =
        realloc(resolver->registrations, (size_t)capacity * sizeof *grown);
    if (!grown) return spry_set_error(SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
    resolver->registrations = grown;
    resolver->capacity = capacity;
  }
  resolver->registrations[resolver->count++] = registration;
  return SPRY_OK;
}

SpryStatus spry_resolver_new_builtin(SpryResolver **out_resolver) {
  SPRY_TRY(spry_resolver_new(out_resolver));
  for (int32_t i = 0; i < builtin_resolver.count; i++) {
    const SpryStatus status = spry_resolver_add(*out_resolver, builtin_registrations[i]);
    if (status != SPRY_OK) {
      spry_resolver_free(*out_resolver);
      *out_resolver = NULL;
      return status;
    }
  }
  return SPRY_OK;
}

void spry_resolver_free(SpryResolver *resolver) {
  if (!resolver || resolver == &builtin_resolver) return;
  free(resolver->registrations);
  free(resolver);
}

static bool same_op(const SpryOpRegistration *r, const SpryOpCodeDesc *opcode) {
  if (r->builtin_code != opcode->builtin_code) return false;
  if (opcode->builtin_code != SPRY_BUILTIN_CUSTOM) return true;
  return opcode->custom_name && r->custom_name && strcmp(opcode->custom_name, r->custom_name) == 0;
}

const SpryOpRegistration *spry_resolver_find(const SpryResolver *resolver,
                                             const SpryOpCodeDesc *opcode) {
  int32_t max_supported = 0, min_supported = 0;
  /* Later registrations take precedence. */
  for (int32_t i = resolver->count - 1; i >= 0; i--) {
    const SpryOpRegistration *r = resolver->registrations[i];
    if (!same_op(r, opcode)) continue;
    if (opcode->version >= r->min_version && opcode->version <= r->max_version) return r;
    if (r->max_version > max_supported) max_supported = r->max_version;
    if (min_supported == 0 || r->min_version < min_supported) min_supported = r->min_version;
  }
  const char *name = spry_opcode_name(opcode);
  if (max_supported == 0) {
    if (opcode->builtin_code == SPRY_BUILTIN_CUSTOM)
      spry_set_error(SPRY_ERROR_UNSUPPORTED, "unsupported op %s (custom)", name);
    else
      spry_set_error(SPRY_ERROR_UNSUPPORTED, "unsupported op %s (builtin %d)", name,
                     (int)opcode->builtin_code);
  } else if (opcode->version > max_supported) {
    spry_set_error(SPRY_ERROR_UNSUPPORTED, "%s version %d is newer than supported (max %d)", name,
                   (int)opcode->version, (int)max_supported);
  } else {
    spry_set_error(SPRY_ERROR_UNSUPPORTED, "%s version %d is not supported (supported from %d)",
                   name, (int)opcode->version, (int)min_supported);
  }
  return NULL;
}

SpryStatus spry_resolver_lookup(const SpryResolver *resolver, int32_t builtin_code,
                                const char *custom_name, int32_t version,
                                const SpryOpRegistration **out_registration) {
  if (!out_registration)
    return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "out_registration is NULL");
  *out_registration = NULL;
  if (builtin_code < 0 || version < 1 || (builtin_code == SPRY_BUILTIN_CUSTOM && !custom_name))
    return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT,
                          "bad op: builtin code %d, version %d, custom name %s", (int)builtin_code,
                          (int)version, custom_name ? custom_name : "(none)");
  /* The opcode only borrows the name: spry_resolver_find() never writes it. */
  const SpryOpCodeDesc opcode = {
      .builtin_code = builtin_code,
      .version = version,
      .custom_name = builtin_code == SPRY_BUILTIN_CUSTOM ? (char *)custom_name : NULL,
  };
  *out_registration = spry_resolver_find(resolver ? resolver : &builtin_resolver, &opcode);
  return *out_registration ? SPRY_OK : SPRY_ERROR_UNSUPPORTED;
}

int32_t spry_resolver_count(const SpryResolver *resolver) {
  return (resolver ? resolver : &builtin_resolver)->count;
}

const SpryOpRegistration *spry_resolver_registration(const SpryResolver *resolver, int32_t index) {
  const SpryResolver *r = resolver ? resolver : &builtin_resolver;
  return index >= 0 && index < r->count ? r->registrations[index] : NULL;
}
