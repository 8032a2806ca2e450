// CTorch: devices — what CUDA offers (through libtorch's CUDA hooks and the driver API, so that this file
// compiles against CPU-only and CUDA builds of libtorch 1.13 and 2.x without CUDA headers), moving tensors
// between devices in place, tensors created on a device, and autocast (mixed precision) scopes.
#include <ATen/ATen.h>
#include <ATen/autocast_mode.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/version.h>

#include <dlfcn.h>

#include <cstdio>
#include <cstring>

#include "shim.h"

using namespace ctorch;

namespace {

// libtorch 2.4 made autocast per device type (is_autocast_enabled(device_type)); 1.13 to 2.3 have one set of
// functions for CUDA and another for the CPU.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool autocast_enabled(at::DeviceType type) { return at::autocast::is_autocast_enabled(type); }
void set_autocast_enabled(at::DeviceType type, bool enabled) { at::autocast::set_autocast_enabled(type, enabled); }
at::ScalarType autocast_dtype(at::DeviceType type) { return at::autocast::get_autocast_dtype(type); }
void set_autocast_dtype(at::DeviceType type, at::ScalarType dtype) { at::autocast::set_autocast_dtype(type, dtype); }
#else
bool autocast_enabled(at::DeviceType type) {
  return type == at::kCUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
}
void set_autocast_enabled(at::DeviceType type, bool enabled) {
  if (type == at::kCUDA) at::autocast::set_enabled(enabled); else at::autocast::set_cpu_enabled(enabled);
}
at::ScalarType autocast_dtype(at::DeviceType type) {
  return type == at::kCUDA ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
}
void set_autocast_dtype(at::DeviceType type, at::ScalarType dtype) {
  if (type == at::kCUDA) at::autocast::set_autocast_gpu_dtype(dtype); else at::autocast::set_autocast_cpu_dtype(dtype);
}
#endif

at::DeviceType device_type(ct_device_type type) {
  switch (type) {
    case CT_CPU: return at::kCPU;
    case CT_CUDA: return at::kCUDA;
  }
  throw std::invalid_argument("unknown device type code " + std::to_string(static_cast<int>(type)));
}

at::Device device(ct_device_type type, int64_t index) {
  if (type == CT_CPU) return at::Device(at::kCPU);
  if (!at::hasCUDA()) throw std::invalid_argument("CUDA requested but libtorch has no CUDA device (CPU-only build or no GPU)");
  int64_t count = at::detail::getCUDAHooks().getNumGPUs();
  if (index < 0 || index >= count)
    throw std::invalid_argument("cuda:" + std::to_string(index) + " does not exist (" + std::to_string(count) +
                                " CUDA device(s))");
  return at::Device(device_type(type), static_cast<c10::DeviceIndex>(index));
}

// The CUDA driver API (libcuda.so.1, installed with the NVIDIA driver), loaded at run time: libtorch's hooks
// give counts and versions but not a device's name, memory or compute capability, and the CUDA runtime headers
// are not needed this way. Its C ABI is stable across CUDA releases.
struct Driver {
  using Init = int (*)(unsigned);
  using DeviceGet = int (*)(int *, int);
  using GetName = int (*)(char *, int, int);
  using TotalMem = int (*)(size_t *, int);
  using GetAttribute = int (*)(int *, int, int);
  using DriverVersion = int (*)(int *);
  Init init = nullptr;
  DeviceGet device_get = nullptr;
  GetName get_name = nullptr;
  TotalMem total_mem = nullptr;
  GetAttribute get_attribute = nullptr;
  DriverVersion driver_version = nullptr;
  bool loaded = false;

  static const Driver &shared() {
    static const Driver driver = [] {
      Driver d;
      void *library = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
      if (!library) return d;
      d.init = reinterpret_cast<Init>(dlsym(library, "cuInit"));
      d.device_get = reinterpret_cast<DeviceGet>(dlsym(library, "cuDeviceGet"));
      d.get_name = reinterpret_cast<GetName>(dlsym(library, "cuDeviceGetName"));
      d.total_mem = reinterpret_cast<TotalMem>(dlsym(library, "cuDeviceTotalMem_v2"));
      d.get_attribute = reinterpret_cast<GetAttribute>(dlsym(library, "cuDeviceGetAttribute"));
      d.driver_version = reinterpret_cast<DriverVersion>(dlsym(library, "cuDriverGetVersion"));
      d.loaded = d.init && d.device_get && d.get_name && d.total_mem && d.get_attribute && d.driver_version &&
                 d.init(0) == 0;
      return d;
    }();
    return driver;
  }
};

constexpr int kComputeCapabilityMajor = 75;  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
constexpr int kComputeCapabilityMinor = 76;  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR

}  // namespace

extern "C" {

ct_status ct_cuda_device_properties(int64_t index, ct_cuda_device_info *out) {
  return guard([&] {
    require_out(out, "out");
    std::memset(out, 0, sizeof(*out));
    out->total_memory = -1;
    out->capability_major = -1;
    out->capability_minor = -1;
    (void)device(CT_CUDA, index);  // throws for a CPU-only build or an index out of range
    const auto &driver = Driver::shared();
    if (!driver.loaded) {
      std::snprintf(out->name, sizeof(out->name), "CUDA device %lld", static_cast<long long>(index));
      return;
    }
    int handle = 0;
    if (driver.device_get(&handle, static_cast<int>(index)) != 0) return;
    if (driver.get_name(out->name, static_cast<int>(sizeof(out->name)) - 1, handle) != 0) out->name[0] = 0;
    size_t bytes = 0;
    if (driver.total_mem(&bytes, handle) == 0) out->total_memory = static_cast<int64_t>(bytes);
    int major = -1, minor = -1;
    if (driver.get_attribute(&major, kComputeCapabilityMajor, handle) == 0) out->capability_major = major;
    if (driver.get_attribute(&minor, kComputeCapabilityMinor, handle) == 0) out->capability_minor = minor;
  });
}

ct_status ct_cuda_versions(int64_t *cuda_runtime, int64_t *cudnn, int64_t *driver) {
  return guard([&] {
    if (cuda_runtime) *cuda_runtime = 0;
    if (cudnn) *cudnn = 0;
    if (driver) *driver = 0;
    if (!at::hasCUDA()) return;
    const auto &hooks = at::detail::getCUDAHooks();
    if (cuda_runtime) *cuda_runtime = static_cast<int64_t>(hooks.versionCUDART());
    if (cudnn && hooks.hasCuDNN()) *cudnn = static_cast<int64_t>(hooks.versionCuDNN());
    int version = 0;
    if (driver && Driver::shared().loaded && Driver::shared().driver_version(&version) == 0) *driver = version;
  });
}

ct_status ct_cuda_synchronize(int64_t index) {
  return guard([&] {
    (void)device(CT_CUDA, index);
    at::detail::getCUDAHooks().deviceSynchronize(index);
  });
}

ct_status ct_tensor_set_data(CTTensor *t, const CTTensor *source) {
  return guard([&] { unwrap_mut(t).set_data(unwrap(source)); });
}

ct_status ct_tensor_full_on_device(const int64_t *sizes, int64_t ndim, double value, ct_dtype dtype,
                                   ct_device_type type, int64_t index, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(at::full(ints(sizes, ndim), value, options(dtype).device(device(type, index))));
  });
}

ct_status ct_autocast_enter(ct_device_type type, ct_dtype dtype, bool *previous_enabled, ct_dtype *previous_dtype) {
  return guard([&] {
    require_out(previous_enabled, "previous_enabled");
    require_out(previous_dtype, "previous_dtype");
    auto kind = device_type(type);
    auto lower = scalar_type(dtype);
    if (lower != at::kHalf && lower != at::kBFloat16)
      throw std::invalid_argument("autocast runs in float16 or bfloat16 only");
    *previous_enabled = autocast_enabled(kind);
    *previous_dtype = ct_type(autocast_dtype(kind));
    set_autocast_enabled(kind, true);
    set_autocast_dtype(kind, lower);
    at::autocast::increment_nesting();
  });
}

ct_status ct_autocast_exit(ct_device_type type, bool previous_enabled, ct_dtype previous_dtype) {
  return guard([&] {
    auto kind = device_type(type);
    // As torch.autocast's __exit__: the cache of cast weights is dropped when the outermost scope ends.
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    set_autocast_enabled(kind, previous_enabled);
    set_autocast_dtype(kind, scalar_type(previous_dtype));
  });
}

ct_status ct_autocast_is_enabled(ct_device_type type, bool *out) {
  return guard([&] {
    require_out(out, "out");
    *out = autocast_enabled(device_type(type));
  });
}

}  // extern "C"
