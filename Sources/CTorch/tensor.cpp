// CTorch: tensors, creation, views, elementwise ops, reductions and autograd. No logic beyond argument
// conversion; every entry point goes through ctorch::guard.
#include <ATen/Parallel.h>
#include <ATen/ScalarOps.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/grad_mode.h>
#include <torch/version.h>

#include <cmath>
#include <sstream>

#include "shim.h"

using namespace ctorch;

namespace ctorch {

std::atomic<int64_t> live_tensors{0};
thread_local int64_t live_tensors_this_thread = 0;
thread_local std::string last_error;

void set_error(const char *message) { last_error = message ? message : "(no message)"; }

at::ScalarType scalar_type(ct_dtype dtype) {
  switch (dtype) {
    case CT_FLOAT32: return at::kFloat;
    case CT_FLOAT64: return at::kDouble;
    case CT_FLOAT16: return at::kHalf;
    case CT_BFLOAT16: return at::kBFloat16;
    case CT_INT64: return at::kLong;
    case CT_INT32: return at::kInt;
    case CT_INT16: return at::kShort;
    case CT_UINT8: return at::kByte;
    case CT_BOOL: return at::kBool;
    case CT_INT8: return at::kChar;
  }
  throw std::invalid_argument("unknown dtype code " + std::to_string(static_cast<int>(dtype)));
}

ct_dtype ct_type(at::ScalarType type) {
  switch (type) {
    case at::kFloat: return CT_FLOAT32;
    case at::kDouble: return CT_FLOAT64;
    case at::kHalf: return CT_FLOAT16;
    case at::kBFloat16: return CT_BFLOAT16;
    case at::kLong: return CT_INT64;
    case at::kInt: return CT_INT32;
    case at::kShort: return CT_INT16;
    case at::kByte: return CT_UINT8;
    case at::kBool: return CT_BOOL;
    case at::kChar: return CT_INT8;
    default: break;
  }
  throw std::invalid_argument(std::string("dtype not supported by NeoICH: ") + c10::toString(type));
}

}  // namespace ctorch

namespace {

// Copies a string into a caller buffer (always NUL-terminated) and reports the size needed.
void copy_string(const std::string &text, char *buffer, int64_t size, int64_t *needed) {
  if (needed) *needed = static_cast<int64_t>(text.size()) + 1;
  if (buffer && size > 0) {
    size_t n = std::min(text.size(), static_cast<size_t>(size - 1));
    std::memcpy(buffer, text.data(), n);
    buffer[n] = '\0';
  }
}

std::string runtime_version() {
  std::string config = at::show_config();
  auto key = std::string("TORCH_VERSION=");
  auto pos = config.find(key);
  if (pos == std::string::npos) return "unknown";
  auto end = config.find_first_of(", \n", pos + key.size());
  return config.substr(pos + key.size(), end - pos - key.size());
}

c10::optional<at::Scalar> bound(double value) {
  if (std::isnan(value)) return c10::nullopt;
  return at::Scalar(value);
}

std::vector<at::Tensor> tensor_list(const CTTensor *const *tensors, int64_t count) {
  if (count < 0 || (count > 0 && tensors == nullptr)) throw std::invalid_argument("bad tensor list");
  std::vector<at::Tensor> list;
  list.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) list.push_back(unwrap(tensors[i]));
  return list;
}

}  // namespace

namespace {
template <typename B>
at::Tensor binary(const at::Tensor &a, const B &b, ct_binary_op op) {
  switch (op) {
    case CT_ADD: return at::add(a, b);
    case CT_SUB: return at::sub(a, b);
    case CT_MUL: return at::mul(a, b);
    case CT_DIV: return at::div(a, b);
    case CT_POW: return at::pow(a, b);
    case CT_REMAINDER: return at::remainder(a, b);
    case CT_EQ: return at::eq(a, b);
    case CT_NE: return at::ne(a, b);
    case CT_LT: return at::lt(a, b);
    case CT_LE: return at::le(a, b);
    case CT_GT: return at::gt(a, b);
    case CT_GE: return at::ge(a, b);
    default: break;
  }
  if constexpr (std::is_same_v<B, at::Tensor>) {
    switch (op) {
      case CT_MAXIMUM: return at::maximum(a, b);
      case CT_MINIMUM: return at::minimum(a, b);
      case CT_ATAN2: return at::atan2(a, b);
      case CT_LOGICAL_AND: return at::logical_and(a, b);
      case CT_LOGICAL_OR: return at::logical_or(a, b);
      case CT_LOGICAL_XOR: return at::logical_xor(a, b);
      default: break;
    }
  } else {
    auto other = at::scalar_tensor(b, a.options());
    switch (op) {
      case CT_MAXIMUM: return at::maximum(a, other);
      case CT_MINIMUM: return at::minimum(a, other);
      case CT_ATAN2: return at::atan2(a, other);
      default: break;
    }
  }
  throw std::invalid_argument("binary op " + std::to_string(static_cast<int>(op)) + " not available for these operands");
}
}  // namespace

namespace {
// Integer tensors (counters such as num_batches_tracked) take an integer scalar, as Python's int would be.
at::Scalar scalar_for(const at::Tensor &t, double value) {
  if (at::isIntegralType(t.scalar_type(), /*includeBool=*/true)) return at::Scalar(static_cast<int64_t>(value));
  return at::Scalar(value);
}
}  // namespace

// MARK: - Errors and runtime

extern "C" {

const char *ct_last_error(void) { return ctorch::last_error.c_str(); }

int64_t ct_live_tensors(void) { return live_tensors.load(std::memory_order_relaxed); }

int64_t ct_live_tensors_this_thread(void) { return live_tensors_this_thread; }

ct_status ct_version_compiled(const char **out) {
  return guard([&] {
    require_out(out, "out");
    *out = TORCH_VERSION;
  });
}

ct_status ct_version_runtime(char *buffer, int64_t size) {
  return guard([&] { copy_string(runtime_version(), buffer, size, nullptr); });
}

ct_status ct_build_config(char *buffer, int64_t size, int64_t *needed) {
  return guard([&] { copy_string(at::show_config(), buffer, size, needed); });
}

ct_status ct_mkldnn_available(bool *out) {
  return guard([&] {
    require_out(out, "out");
    *out = at::hasMKLDNN();
  });
}

ct_status ct_cuda_available(bool *out) {
  return guard([&] {
    require_out(out, "out");
    *out = at::hasCUDA();
  });
}

ct_status ct_cuda_device_count(int64_t *out) {
  return guard([&] {
    require_out(out, "out");
    *out = at::hasCUDA() ? static_cast<int64_t>(at::detail::getCUDAHooks().getNumGPUs()) : 0;
  });
}

ct_status ct_set_num_threads(int64_t n) {
  return guard([&] {
    if (n < 1) throw std::invalid_argument("thread count must be ≥ 1, got " + std::to_string(n));
    at::set_num_threads(static_cast<int>(n));
  });
}

ct_status ct_get_num_threads(int64_t *out) {
  return guard([&] {
    require_out(out, "out");
    *out = at::get_num_threads();
  });
}

ct_status ct_manual_seed(uint64_t seed) {
  return guard([&] { at::manual_seed(seed); });
}

// MARK: - Generators

ct_status ct_generator_new(uint64_t seed, CTGenerator **out) {
  return guard([&] {
    require_out(out, "out");
    auto g = at::detail::createCPUGenerator(seed);
    *out = new CTGenerator{g};
  });
}

ct_status ct_generator_set_seed(CTGenerator *g, uint64_t seed) {
  return guard([&] {
    if (!g) throw std::invalid_argument("null generator");
    std::lock_guard<std::mutex> lock(g->generator.mutex());
    g->generator.set_current_seed(seed);
  });
}

void ct_generator_free(CTGenerator *g) { delete g; }

// MARK: - Lifetime and metadata

void ct_tensor_free(CTTensor *t) {
  if (t == nullptr) return;
  delete t;
  live_tensors.fetch_sub(1, std::memory_order_relaxed);
  --live_tensors_this_thread;
}

ct_status ct_tensor_shallow_clone(const CTTensor *t, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(unwrap(t));
  });
}

ct_status ct_tensor_defined(const CTTensor *t, bool *out) {
  return guard([&] {
    require_out(out, "out");
    *out = unwrap(t).defined();
  });
}

ct_status ct_tensor_dim(const CTTensor *t, int64_t *out) {
  return guard([&] {
    require_out(out, "out");
    *out = unwrap(t).dim();
  });
}

ct_status ct_tensor_sizes(const CTTensor *t, int64_t *sizes, int64_t capacity, int64_t *dim) {
  return guard([&] {
    const auto &x = unwrap(t);
    if (dim) *dim = x.dim();
    for (int64_t i = 0; i < std::min<int64_t>(capacity, x.dim()); ++i) sizes[i] = x.size(i);
  });
}

ct_status ct_tensor_strides(const CTTensor *t, int64_t *strides, int64_t capacity, int64_t *dim) {
  return guard([&] {
    const auto &x = unwrap(t);
    if (dim) *dim = x.dim();
    for (int64_t i = 0; i < std::min<int64_t>(capacity, x.dim()); ++i) strides[i] = x.stride(i);
  });
}

ct_status ct_tensor_numel(const CTTensor *t, int64_t *out) {
  return guard([&] {
    require_out(out, "out");
    *out = unwrap(t).numel();
  });
}

ct_status ct_tensor_dtype(const CTTensor *t, ct_dtype *out) {
  return guard([&] {
    require_out(out, "out");
    *out = ct_type(unwrap(t).scalar_type());
  });
}

ct_status ct_tensor_device(const CTTensor *t, ct_device_type *type, int64_t *index) {
  return guard([&] {
    auto device = unwrap(t).device();
    if (type) *type = device.is_cuda() ? CT_CUDA : CT_CPU;
    if (index) *index = device.has_index() ? device.index() : 0;
  });
}

ct_status ct_tensor_version(const CTTensor *t, int64_t *out) {
  return guard([&] {
    require_out(out, "out");
    *out = static_cast<int64_t>(unwrap(t)._version());
  });
}

ct_status ct_tensor_is_contiguous(const CTTensor *t, bool *out) {
  return guard([&] {
    require_out(out, "out");
    *out = unwrap(t).is_contiguous();
  });
}

ct_status ct_tensor_data_ptr(const CTTensor *t, void **out) {
  return guard([&] {
    require_out(out, "out");
    const auto &x = unwrap(t);
    if (x.defined() && !x.device().is_cpu()) throw std::invalid_argument("data_ptr of a non-CPU tensor");
    *out = x.defined() ? x.data_ptr() : nullptr;
  });
}

ct_status ct_tensor_copy_to_buffer(const CTTensor *t, void *dst, int64_t nbytes) {
  return guard([&] {
    auto x = unwrap(t).detach().to(at::kCPU).contiguous();
    auto size = static_cast<int64_t>(x.numel() * x.element_size());
    if (size != nbytes)
      throw std::invalid_argument("buffer holds " + std::to_string(nbytes) + " bytes, tensor needs " +
                                  std::to_string(size));
    if (size > 0) std::memcpy(dst, x.data_ptr(), static_cast<size_t>(size));
  });
}

ct_status ct_tensor_item_double(const CTTensor *t, double *out) {
  return guard([&] {
    require_out(out, "out");
    *out = unwrap(t).item<double>();
  });
}

ct_status ct_tensor_item_int64(const CTTensor *t, int64_t *out) {
  return guard([&] {
    require_out(out, "out");
    *out = unwrap(t).item<int64_t>();
  });
}

ct_status ct_tensor_to_string(const CTTensor *t, char *buffer, int64_t size, int64_t *needed) {
  return guard([&] {
    std::ostringstream stream;
    stream << unwrap(t);
    copy_string(stream.str(), buffer, size, needed);
  });
}

// MARK: - Creation

ct_status ct_tensor_from_buffer(const void *src, const int64_t *sizes, int64_t ndim, ct_dtype dtype, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    auto x = at::empty(ints(sizes, ndim), options(dtype));
    auto nbytes = static_cast<size_t>(x.numel() * x.element_size());
    if (nbytes > 0) {
      if (src == nullptr) throw std::invalid_argument("null source buffer");
      std::memcpy(x.data_ptr(), src, nbytes);
    }
    *out = wrap(x);
  });
}

ct_status ct_tensor_from_blob(void *data, const int64_t *sizes, int64_t ndim, ct_dtype dtype,
                              void (*release)(void *context), void *context, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    auto deleter = [release, context](void *) {
      if (release) release(context);
    };
    *out = wrap(at::from_blob(data, ints(sizes, ndim), deleter, options(dtype)));
  });
}

#define CT_SIZED_FACTORY(name, expr)                                                  \
  ct_status name(const int64_t *sizes, int64_t ndim, ct_dtype dtype, CTTensor **out) { \
    return guard([&] {                                                                \
      require_out(out, "out");                                                        \
      *out = wrap(expr(ints(sizes, ndim), options(dtype)));                           \
    });                                                                               \
  }

CT_SIZED_FACTORY(ct_tensor_empty, at::empty)
CT_SIZED_FACTORY(ct_tensor_zeros, at::zeros)
CT_SIZED_FACTORY(ct_tensor_ones, at::ones)

ct_status ct_tensor_full(const int64_t *sizes, int64_t ndim, double value, ct_dtype dtype, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(at::full(ints(sizes, ndim), value, options(dtype)));
  });
}

ct_status ct_tensor_arange(double start, double end, double step, ct_dtype dtype, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(at::arange(start, end, step, options(dtype)));
  });
}

ct_status ct_tensor_linspace(double start, double end, int64_t steps, ct_dtype dtype, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(at::linspace(start, end, steps, options(dtype)));
  });
}

ct_status ct_tensor_eye(int64_t n, ct_dtype dtype, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(at::eye(n, options(dtype)));
  });
}

ct_status ct_tensor_rand(const int64_t *sizes, int64_t ndim, ct_dtype dtype, CTGenerator *g, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(at::rand(ints(sizes, ndim), optional(g), options(dtype)));
  });
}

ct_status ct_tensor_randn(const int64_t *sizes, int64_t ndim, ct_dtype dtype, CTGenerator *g, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(at::randn(ints(sizes, ndim), optional(g), options(dtype)));
  });
}

ct_status ct_tensor_randint(int64_t low, int64_t high, const int64_t *sizes, int64_t ndim, ct_dtype dtype,
                            CTGenerator *g, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(at::randint(low, high, ints(sizes, ndim), optional(g), options(dtype)));
  });
}

ct_status ct_tensor_bernoulli(const CTTensor *probabilities, CTGenerator *g, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(at::bernoulli(unwrap(probabilities), optional(g)));
  });
}

ct_status ct_tensor_randperm(int64_t n, CTGenerator *g, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(at::randperm(n, optional(g), at::TensorOptions().dtype(at::kLong)));
  });
}

// MARK: - Conversion and copies

ct_status ct_tensor_to_dtype(const CTTensor *t, ct_dtype dtype, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(unwrap(t).to(scalar_type(dtype)));
  });
}

ct_status ct_tensor_to_device(const CTTensor *t, ct_device_type type, int64_t index, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    auto device = type == CT_CUDA ? at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(index)) : at::Device(at::kCPU);
    *out = wrap(unwrap(t).to(device));
  });
}

#define CT_UNARY_METHOD(name, method)                 \
  ct_status name(const CTTensor *t, CTTensor **out) { \
    return guard([&] {                                \
      require_out(out, "out");                        \
      *out = wrap(unwrap(t).method());                \
    });                                               \
  }

CT_UNARY_METHOD(ct_tensor_contiguous, contiguous)
CT_UNARY_METHOD(ct_tensor_clone, clone)
CT_UNARY_METHOD(ct_tensor_detach, detach)

ct_status ct_tensor_copy_(CTTensor *dst, const CTTensor *src) {
  return guard([&] { unwrap_mut(dst).copy_(unwrap(src)); });
}

ct_status ct_tensor_fill_(CTTensor *t, double value) {
  return guard([&] { unwrap_mut(t).fill_(value); });
}

ct_status ct_tensor_zero_(CTTensor *t) {
  return guard([&] { unwrap_mut(t).zero_(); });
}

// MARK: - Views and shape

#define CT_INTLIST_METHOD(name, method)                                                        \
  ct_status name(const CTTensor *t, const int64_t *values, int64_t count, CTTensor **out) {     \
    return guard([&] {                                                                         \
      require_out(out, "out");                                                                 \
      *out = wrap(unwrap(t).method(ints(values, count)));                                      \
    });                                                                                        \
  }

CT_INTLIST_METHOD(ct_tensor_reshape, reshape)
CT_INTLIST_METHOD(ct_tensor_view, view)
CT_INTLIST_METHOD(ct_tensor_permute, permute)
CT_INTLIST_METHOD(ct_tensor_flip, flip)
CT_INTLIST_METHOD(ct_tensor_expand, expand)
CT_INTLIST_METHOD(ct_tensor_repeat, repeat)

ct_status ct_tensor_transpose(const CTTensor *t, int64_t dim0, int64_t dim1, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(unwrap(t).transpose(dim0, dim1));
  });
}

ct_status ct_tensor_narrow(const CTTensor *t, int64_t dim, int64_t start, int64_t length, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(unwrap(t).narrow(dim, start, length));
  });
}

ct_status ct_tensor_slice(const CTTensor *t, int64_t dim, int64_t start, int64_t end, int64_t step, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(unwrap(t).slice(dim, start, end, step));
  });
}

ct_status ct_tensor_select(const CTTensor *t, int64_t dim, int64_t index, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(unwrap(t).select(dim, index));
  });
}

ct_status ct_tensor_index_select(const CTTensor *t, int64_t dim, const CTTensor *index, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(unwrap(t).index_select(dim, unwrap(index)));
  });
}

ct_status ct_tensor_gather(const CTTensor *t, int64_t dim, const CTTensor *index, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(unwrap(t).gather(dim, unwrap(index)));
  });
}

ct_status ct_tensor_masked_select(const CTTensor *t, const CTTensor *mask, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(unwrap(t).masked_select(unwrap(mask)));
  });
}

ct_status ct_tensor_masked_fill(const CTTensor *t, const CTTensor *mask, double value, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(unwrap(t).masked_fill(unwrap(mask), value));
  });
}

CT_UNARY_METHOD(ct_tensor_nonzero, nonzero)

ct_status ct_tensor_cat(const CTTensor *const *tensors, int64_t count, int64_t dim, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(at::cat(tensor_list(tensors, count), dim));
  });
}

ct_status ct_tensor_stack(const CTTensor *const *tensors, int64_t count, int64_t dim, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(at::stack(tensor_list(tensors, count), dim));
  });
}

ct_status ct_tensor_pad(const CTTensor *t, const int64_t *pad, int64_t npad, int32_t mode, double value, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    const auto &x = unwrap(t);
    auto p = ints(pad, npad);
    switch (mode) {
      case 0: *out = wrap(at::constant_pad_nd(x, p, value)); break;
      case 1:
        if (npad == 2) *out = wrap(at::reflection_pad1d(x, p));
        else if (npad == 4) *out = wrap(at::reflection_pad2d(x, p));
        else if (npad == 6) *out = wrap(at::reflection_pad3d(x, p));
        else throw std::invalid_argument("reflect padding takes 2, 4 or 6 values");
        break;
      case 2:
        if (npad == 2) *out = wrap(at::replication_pad1d(x, p));
        else if (npad == 4) *out = wrap(at::replication_pad2d(x, p));
        else if (npad == 6) *out = wrap(at::replication_pad3d(x, p));
        else throw std::invalid_argument("replicate padding takes 2, 4 or 6 values");
        break;
      default: throw std::invalid_argument("unknown padding mode " + std::to_string(mode));
    }
  });
}

ct_status ct_tensor_squeeze(const CTTensor *t, int64_t dim, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(unwrap(t).squeeze(dim));
  });
}

ct_status ct_tensor_unsqueeze(const CTTensor *t, int64_t dim, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(unwrap(t).unsqueeze(dim));
  });
}

ct_status ct_tensor_flatten(const CTTensor *t, int64_t start_dim, int64_t end_dim, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(unwrap(t).flatten(start_dim, end_dim));
  });
}

// MARK: - Elementwise

ct_status ct_tensor_unary(const CTTensor *t, ct_unary_op op, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    const auto &x = unwrap(t);
    at::Tensor y;
    switch (op) {
      case CT_NEG: y = x.neg(); break;
      case CT_EXP: y = x.exp(); break;
      case CT_LOG: y = x.log(); break;
      case CT_SQRT: y = x.sqrt(); break;
      case CT_RSQRT: y = x.rsqrt(); break;
      case CT_ABS: y = x.abs(); break;
      case CT_SIGN: y = x.sign(); break;
      case CT_FLOOR: y = x.floor(); break;
      case CT_CEIL: y = x.ceil(); break;
      case CT_ROUND: y = x.round(); break;
      case CT_SIGMOID: y = x.sigmoid(); break;
      case CT_TANH: y = x.tanh(); break;
      case CT_RELU: y = x.relu(); break;
      case CT_SQUARE: y = x.square(); break;
      case CT_SIN: y = x.sin(); break;
      case CT_COS: y = x.cos(); break;
      case CT_LOG1P: y = x.log1p(); break;
      case CT_EXPM1: y = x.expm1(); break;
      case CT_RECIPROCAL: y = x.reciprocal(); break;
      case CT_LOGICAL_NOT: y = x.logical_not(); break;
      case CT_ISNAN: y = x.isnan(); break;
      case CT_ISINF: y = x.isinf(); break;
      case CT_ISFINITE: y = x.isfinite(); break;
      case CT_ERF: y = x.erf(); break;
      default: throw std::invalid_argument("unknown unary op " + std::to_string(static_cast<int>(op)));
    }
    *out = wrap(y);
  });
}


ct_status ct_tensor_binary(const CTTensor *a, const CTTensor *b, ct_binary_op op, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(binary(unwrap(a), unwrap(b), op));
  });
}

ct_status ct_tensor_binary_scalar(const CTTensor *a, double b, ct_binary_op op, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(binary(unwrap(a), at::Scalar(b), op));
  });
}

ct_status ct_tensor_scalar_binary(double a, const CTTensor *b, ct_binary_op op, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    const auto &y = unwrap(b);
    // A wrapped number promotes like a Python scalar (2.5 - int tensor is float, 2 - float tensor stays float).
    at::Tensor result = binary(at::native::wrapped_scalar_tensor(a, y.device()), y, op);
    *out = wrap(result);
  });
}

ct_status ct_tensor_where(const CTTensor *condition, const CTTensor *a, const CTTensor *b, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(at::where(unwrap(condition), unwrap(a), unwrap(b)));
  });
}

ct_status ct_tensor_clamp(const CTTensor *t, double min, double max, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(at::clamp(unwrap(t), bound(min), bound(max)));
  });
}

ct_status ct_tensor_leaky_relu(const CTTensor *t, double slope, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(at::leaky_relu(unwrap(t), slope));
  });
}

ct_status ct_tensor_lerp(const CTTensor *a, const CTTensor *b, double weight, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(at::lerp(unwrap(a), unwrap(b), weight));
  });
}

ct_status ct_tensor_add_(CTTensor *t, const CTTensor *other, double alpha) {
  return guard([&] { unwrap_mut(t).add_(unwrap(other), alpha); });
}

ct_status ct_tensor_mul_scalar_(CTTensor *t, double value) {
  return guard([&] { unwrap_mut(t).mul_(scalar_for(unwrap(t), value)); });
}

ct_status ct_tensor_add_scalar_(CTTensor *t, double value) {
  return guard([&] { unwrap_mut(t).add_(scalar_for(unwrap(t), value)); });
}

ct_status ct_tensor_addcmul_(CTTensor *t, const CTTensor *a, const CTTensor *b, double value) {
  return guard([&] { unwrap_mut(t).addcmul_(unwrap(a), unwrap(b), value); });
}

ct_status ct_tensor_addcdiv_(CTTensor *t, const CTTensor *a, const CTTensor *b, double value) {
  return guard([&] { unwrap_mut(t).addcdiv_(unwrap(a), unwrap(b), value); });
}

ct_status ct_tensor_clamp_(CTTensor *t, double min, double max) {
  return guard([&] { unwrap_mut(t).clamp_(bound(min), bound(max)); });
}

// MARK: - Reductions

ct_status ct_tensor_reduce(const CTTensor *t, ct_reduce_op op, const int64_t *dims, int64_t ndims, bool keepdim,
                           int64_t correction, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    const auto &x = unwrap(t);
    auto d = ints(dims, ndims);
    bool all = ndims == 0;
    at::Tensor y;
    switch (op) {
      case CT_SUM: y = all ? x.sum() : x.sum(d, keepdim); break;
      case CT_MEAN: y = all ? x.mean() : x.mean(d, keepdim); break;
      case CT_AMAX: y = all ? x.max() : x.amax(d, keepdim); break;
      case CT_AMIN: y = all ? x.min() : x.amin(d, keepdim); break;
      case CT_PROD:
        if (all) y = x.prod();
        else if (ndims == 1) y = x.prod(dims[0], keepdim);
        else throw std::invalid_argument("prod reduces over one dimension at a time");
        break;
      case CT_STD: y = all ? x.std(correction != 0) : x.std(d, correction != 0, keepdim); break;
      case CT_VAR: y = all ? x.var(correction != 0) : x.var(d, correction != 0, keepdim); break;
      case CT_NORM2:
        y = all ? x.norm() : at::norm(x, at::Scalar(2.0), d, keepdim);
        break;
      case CT_ALL:
        if (all) y = x.all();
        else if (ndims == 1) y = x.all(dims[0], keepdim);
        else throw std::invalid_argument("all reduces over one dimension at a time");
        break;
      case CT_ANY:
        if (all) y = x.any();
        else if (ndims == 1) y = x.any(dims[0], keepdim);
        else throw std::invalid_argument("any reduces over one dimension at a time");
        break;
      default: throw std::invalid_argument("unknown reduction " + std::to_string(static_cast<int>(op)));
    }
    *out = wrap(y);
  });
}

ct_status ct_tensor_max_dim(const CTTensor *t, int64_t dim, bool keepdim, CTTensor **values, CTTensor **indices) {
  return guard([&] {
    require_out(values, "values");
    require_out(indices, "indices");
    auto result = unwrap(t).max(dim, keepdim);
    *values = wrap(std::get<0>(result));
    *indices = wrap(std::get<1>(result));
  });
}

ct_status ct_tensor_min_dim(const CTTensor *t, int64_t dim, bool keepdim, CTTensor **values, CTTensor **indices) {
  return guard([&] {
    require_out(values, "values");
    require_out(indices, "indices");
    auto result = unwrap(t).min(dim, keepdim);
    *values = wrap(std::get<0>(result));
    *indices = wrap(std::get<1>(result));
  });
}

ct_status ct_tensor_argmax(const CTTensor *t, int64_t dim, bool keepdim, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(dim < -64 ? unwrap(t).argmax() : unwrap(t).argmax(dim, keepdim));
  });
}

ct_status ct_tensor_argmin(const CTTensor *t, int64_t dim, bool keepdim, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(dim < -64 ? unwrap(t).argmin() : unwrap(t).argmin(dim, keepdim));
  });
}

ct_status ct_tensor_topk(const CTTensor *t, int64_t k, int64_t dim, bool largest, bool sorted, CTTensor **values,
                         CTTensor **indices) {
  return guard([&] {
    require_out(values, "values");
    require_out(indices, "indices");
    auto result = unwrap(t).topk(k, dim, largest, sorted);
    *values = wrap(std::get<0>(result));
    *indices = wrap(std::get<1>(result));
  });
}

ct_status ct_tensor_sort(const CTTensor *t, int64_t dim, bool descending, CTTensor **values, CTTensor **indices) {
  return guard([&] {
    require_out(values, "values");
    require_out(indices, "indices");
    auto result = unwrap(t).sort(dim, descending);
    *values = wrap(std::get<0>(result));
    *indices = wrap(std::get<1>(result));
  });
}

ct_status ct_tensor_cumsum(const CTTensor *t, int64_t dim, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(unwrap(t).cumsum(dim));
  });
}

ct_status ct_tensor_equal(const CTTensor *a, const CTTensor *b, bool *out) {
  return guard([&] {
    require_out(out, "out");
    *out = unwrap(a).equal(unwrap(b));
  });
}

ct_status ct_tensor_allclose(const CTTensor *a, const CTTensor *b, double rtol, double atol, bool *out) {
  return guard([&] {
    require_out(out, "out");
    *out = unwrap(a).allclose(unwrap(b), rtol, atol);
  });
}

ct_status ct_tensor_matmul(const CTTensor *a, const CTTensor *b, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(at::matmul(unwrap(a), unwrap(b)));
  });
}

// MARK: - Autograd

ct_status ct_tensor_set_requires_grad(CTTensor *t, bool requires_grad) {
  return guard([&] { unwrap_mut(t).set_requires_grad(requires_grad); });
}

ct_status ct_tensor_requires_grad(const CTTensor *t, bool *out) {
  return guard([&] {
    require_out(out, "out");
    *out = unwrap(t).requires_grad();
  });
}

ct_status ct_tensor_is_leaf(const CTTensor *t, bool *out) {
  return guard([&] {
    require_out(out, "out");
    *out = unwrap(t).is_leaf();
  });
}

ct_status ct_tensor_grad(const CTTensor *t, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    const auto &g = unwrap(t).grad();
    *out = g.defined() ? wrap(g) : nullptr;
  });
}

ct_status ct_tensor_set_grad(CTTensor *t, const CTTensor *grad) {
  return guard([&] { unwrap_mut(t).mutable_grad() = grad ? unwrap(grad) : at::Tensor(); });
}

ct_status ct_tensor_retain_grad(CTTensor *t) {
  return guard([&] { unwrap_mut(t).retain_grad(); });
}

ct_status ct_tensor_backward(const CTTensor *t, const CTTensor *gradient, bool retain_graph, bool create_graph) {
  return guard([&] {
    unwrap(t).backward(gradient ? unwrap(gradient) : at::Tensor(), retain_graph, create_graph);
  });
}

ct_status ct_autograd_grad(const CTTensor *const *outputs, int64_t n_outputs, const CTTensor *const *inputs,
                           int64_t n_inputs, const CTTensor *const *grad_outputs, bool retain_graph,
                           bool create_graph, bool allow_unused, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    auto outs = tensor_list(outputs, n_outputs);
    auto ins = tensor_list(inputs, n_inputs);
    std::vector<at::Tensor> grads;
    if (grad_outputs) grads = tensor_list(grad_outputs, n_outputs);
    auto result = torch::autograd::grad(outs, ins, grads, retain_graph, create_graph, allow_unused);
    for (int64_t i = 0; i < n_inputs; ++i) {
      out[i] = result[static_cast<size_t>(i)].defined() ? wrap(result[static_cast<size_t>(i)]) : nullptr;
    }
  });
}

ct_status ct_grad_mode_set_enabled(bool enabled, bool *previous) {
  return guard([&] {
    if (previous) *previous = c10::GradMode::is_enabled();
    c10::GradMode::set_enabled(enabled);
  });
}

ct_status ct_grad_mode_is_enabled(bool *out) {
  return guard([&] {
    require_out(out, "out");
    *out = c10::GradMode::is_enabled();
  });
}

}  // extern "C"
