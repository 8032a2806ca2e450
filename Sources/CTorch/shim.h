// Internal to the CTorch shim: handle definitions, conversions, and the error-capturing wrapper.
#pragma once

#include <ATen/ATen.h>
#include <atomic>
#include <cstring>
#include <string>
#include <vector>

#include "ctorch.h"

struct CTTensor {
  at::Tensor tensor;
};
struct CTGenerator {
  at::Generator generator;
};

namespace ctorch {

extern std::atomic<int64_t> live_tensors;
extern thread_local int64_t live_tensors_this_thread;
void set_error(const char *message);

// Every entry point runs its body through this: C++ exceptions (std and anything else) become CT_ERROR plus a
// thread-local message; nothing ever unwinds into Swift.
template <typename F>
ct_status guard(F &&body) {
  try {
    body();
    return CT_OK;
  } catch (const c10::Error &e) {
    set_error(e.what_without_backtrace());
  } catch (const std::exception &e) {
    set_error(e.what());
  } catch (...) {
    set_error("unknown C++ exception in libtorch");
  }
  return CT_ERROR;
}

inline CTTensor *wrap(at::Tensor t) {
  live_tensors.fetch_add(1, std::memory_order_relaxed);
  ++live_tensors_this_thread;
  return new CTTensor{std::move(t)};
}

inline const at::Tensor &unwrap(const CTTensor *t) {
  if (t == nullptr) throw std::invalid_argument("null tensor handle");
  return t->tensor;
}

inline at::Tensor &unwrap_mut(CTTensor *t) {
  if (t == nullptr) throw std::invalid_argument("null tensor handle");
  return t->tensor;
}

inline c10::optional<at::Tensor> optional(const CTTensor *t) {
  if (t == nullptr) return c10::nullopt;
  return t->tensor;
}

inline c10::optional<at::Generator> optional(CTGenerator *g) {
  if (g == nullptr) return c10::nullopt;
  return g->generator;
}

inline at::IntArrayRef ints(const int64_t *data, int64_t len) {
  if (len < 0) throw std::invalid_argument("negative list length");
  if (len > 0 && data == nullptr) throw std::invalid_argument("null list with non-zero length");
  return at::IntArrayRef(data, static_cast<size_t>(len));
}

at::ScalarType scalar_type(ct_dtype dtype);
ct_dtype ct_type(at::ScalarType type);

inline at::TensorOptions options(ct_dtype dtype) { return at::TensorOptions().dtype(scalar_type(dtype)); }

template <typename T>
void require_out(T *out, const char *name) {
  if (out == nullptr) throw std::invalid_argument(std::string("null out-parameter ") + name);
}

}  // namespace ctorch
