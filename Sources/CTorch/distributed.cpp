// c10d process groups (ProcessGroupGloo over a TCPStore) for data-parallel training. Kept in its own
// translation unit: the c10d and gloo headers are heavy and no other part of the shim needs them.
#define USE_C10D_GLOO 1
#include "shim.h"

#include <chrono>
#include <cstdlib>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/csrc/autograd/custom_function.h>

struct CTProcessGroup {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
  std::chrono::milliseconds timeout;
  int64_t rank;
  int64_t world_size;
};

using ctorch::guard;

namespace {

CTProcessGroup &unwrap_group(CTProcessGroup *g) {
  if (g == nullptr) throw std::invalid_argument("null process group handle");
  return *g;
}

std::vector<at::Tensor> tensor_list(CTTensor *const *tensors, int64_t count) {
  if (count < 0) throw std::invalid_argument("negative tensor count");
  if (count > 0 && tensors == nullptr) throw std::invalid_argument("null tensor list");
  std::vector<at::Tensor> list;
  list.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) list.push_back(ctorch::unwrap(tensors[i]));
  return list;
}

// Waits for a collective with the group's timeout: a rank that died or stopped answering becomes an error
// ("… timed out" or gloo's "Connection closed by peer") on the others instead of a hang.
void finish(CTProcessGroup &g, const c10::intrusive_ptr<c10d::Work> &work, const char *what) {
  try {
    if (!work->wait(g.timeout)) throw std::runtime_error("did not complete");
  } catch (const c10::Error &e) {
    throw std::runtime_error(std::string(what) + " on rank " + std::to_string(g.rank) + " of " +
                             std::to_string(g.world_size) + " failed: " + e.what_without_backtrace());
  } catch (const std::exception &e) {
    throw std::runtime_error(std::string(what) + " on rank " + std::to_string(g.rank) + " of " +
                             std::to_string(g.world_size) + " failed: " + e.what());
  }
}

void allreduce_sum(CTProcessGroup &group, at::Tensor &tensor, const char *what) {
  std::vector<at::Tensor> list{tensor};
  c10d::AllreduceOptions options;
  options.reduceOp = c10d::ReduceOp::SUM;
  options.timeout = group.timeout;
  finish(group, group.group->allreduce(list, options), what);
}

// Batch norm whose statistics are those of the whole global batch (torch.nn.SyncBatchNorm, which PyTorch
// offers on CUDA only): the forward all-reduces Σx, Σx² and the count per channel, the backward Σdy and
// Σdy·(x − mean), so every rank's input gradient is that of the global batch's loss. The weight and bias
// gradients stay local (the data-parallel gradient average sums them over the ranks, as in PyTorch).
// Statistics are accumulated in double precision.
struct SyncBatchNorm : public torch::autograd::Function<SyncBatchNorm> {
  static at::Tensor forward(torch::autograd::AutogradContext *ctx, const at::Tensor &input, const at::Tensor &weight,
                            const at::Tensor &bias, at::Tensor running_mean, at::Tensor running_var, double momentum,
                            double eps, int64_t group_address) {
    auto &group = *reinterpret_cast<CTProcessGroup *>(group_address);
    const int64_t channels = input.size(1);
    std::vector<int64_t> reduce;
    for (int64_t d = 0; d < input.dim(); ++d)
      if (d != 1) reduce.push_back(d);
    auto x = input.to(at::kDouble);
    auto stats = at::cat({x.sum(reduce), (x * x).sum(reduce),
                          at::full({1}, static_cast<double>(input.numel() / channels), x.options())});
    allreduce_sum(group, stats, "synchronised batch norm (forward)");
    const double count = stats[2 * channels].item<double>();
    if (count < 2) throw std::invalid_argument("synchronised batch norm needs more than one value per channel");
    auto mean = stats.slice(0, 0, channels) / count;
    auto var = (stats.slice(0, channels, 2 * channels) / count - mean * mean).clamp_min(0);
    auto invstd = (var + eps).rsqrt();
    {
      at::NoGradGuard no_grad;
      running_mean.mul_(1 - momentum).add_(mean.to(running_mean.scalar_type()) * momentum);
      running_var.mul_(1 - momentum).add_(var.to(running_var.scalar_type()) * (momentum * count / (count - 1)));
    }
    std::vector<int64_t> shape(static_cast<size_t>(input.dim()), 1);
    shape[1] = channels;
    auto xhat = ((x - mean.view(shape)) * invstd.view(shape)).to(input.scalar_type());
    ctx->save_for_backward({xhat, weight, invstd.to(input.scalar_type())});
    ctx->saved_data["group"] = group_address;
    ctx->saved_data["count"] = count;
    return xhat * weight.view(shape) + bias.view(shape);
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext *ctx,
                                               torch::autograd::tensor_list grad_outputs) {
    auto saved = ctx->get_saved_variables();
    auto &xhat = saved[0], &weight = saved[1], &invstd = saved[2];
    auto &group = *reinterpret_cast<CTProcessGroup *>(ctx->saved_data["group"].toInt());
    const double count = ctx->saved_data["count"].toDouble();
    auto dy = grad_outputs[0];
    const int64_t channels = xhat.size(1);
    std::vector<int64_t> reduce;
    for (int64_t d = 0; d < xhat.dim(); ++d)
      if (d != 1) reduce.push_back(d);
    auto sum_dy = dy.to(at::kDouble).sum(reduce);
    auto sum_dy_xhat = (dy.to(at::kDouble) * xhat.to(at::kDouble)).sum(reduce);
    auto sums = at::cat({sum_dy, sum_dy_xhat});
    allreduce_sum(group, sums, "synchronised batch norm (backward)");
    std::vector<int64_t> shape(static_cast<size_t>(xhat.dim()), 1);
    shape[1] = channels;
    auto mean_dy = (sums.slice(0, 0, channels) / count).to(dy.scalar_type()).view(shape);
    auto mean_dy_xhat = (sums.slice(0, channels, 2 * channels) / count).to(dy.scalar_type()).view(shape);
    auto grad_input = (weight * invstd).view(shape) * (dy - mean_dy - xhat * mean_dy_xhat);
    auto grad_weight = sum_dy_xhat.to(weight.scalar_type());
    auto grad_bias = sum_dy.to(weight.scalar_type());
    return {grad_input, grad_weight, grad_bias, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

extern "C" {

ct_status ct_sync_batch_norm(CTProcessGroup *g, const CTTensor *input, const CTTensor *weight, const CTTensor *bias,
                             CTTensor *running_mean, CTTensor *running_var, double momentum, double eps, CTTensor **out) {
  return guard([&] {
    ctorch::require_out(out, "out");
    auto &group = unwrap_group(g);
    const auto &x = ctorch::unwrap(input);
    if (x.dim() < 2) throw std::invalid_argument("synchronised batch norm needs (N, C, …) input");
    *out = ctorch::wrap(SyncBatchNorm::apply(x, ctorch::unwrap(weight), ctorch::unwrap(bias), ctorch::unwrap(running_mean),
                                             ctorch::unwrap(running_var), momentum, eps,
                                             static_cast<int64_t>(reinterpret_cast<intptr_t>(&group))));
  });
}

ct_status ct_process_group_gloo_create(const char *master_addr, int32_t master_port, int64_t rank, int64_t world_size,
                                       int64_t timeout_ms, CTProcessGroup **out) {
  return guard([&] {
    ctorch::require_out(out, "out");
    if (master_addr == nullptr) throw std::invalid_argument("null master address");
    if (world_size < 1 || rank < 0 || rank >= world_size)
      throw std::invalid_argument("rank " + std::to_string(rank) + " is not in a world of " + std::to_string(world_size));
    if (master_port < 1 || master_port > 65535) throw std::invalid_argument("master port out of range");
    if (timeout_ms < 1) throw std::invalid_argument("timeout must be positive");
    auto timeout = std::chrono::milliseconds(timeout_ms);
    c10d::TCPStoreOptions options;
    options.port = static_cast<std::uint16_t>(master_port);
    options.isServer = rank == 0;
    options.numWorkers = static_cast<std::size_t>(world_size);
    options.waitWorkers = true;
    options.timeout = timeout;
    c10::intrusive_ptr<c10d::Store> store;
    try {
      store = c10::make_intrusive<c10d::TCPStore>(std::string(master_addr), options);
    } catch (const std::exception &e) {
      throw std::runtime_error("rank " + std::to_string(rank) + " could not meet the other ranks at " + master_addr + ":" +
                               std::to_string(master_port) + " within " + std::to_string(timeout_ms) + " ms: " + e.what());
    }
    auto prefixed = c10::make_intrusive<c10d::PrefixStore>("neoich", store);
    auto gloo_options = c10d::ProcessGroupGloo::Options::create(timeout);
    // The device is this machine's own interface: GLOO_SOCKET_IFNAME as in PyTorch, the loopback when every rank
    // meets on it (one machine), else the address this host's name resolves to.
    const std::string address(master_addr);
    const char *interface = std::getenv("GLOO_SOCKET_IFNAME");
    if (interface != nullptr && *interface != '\0') {
      gloo_options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(interface));
    } else if (address == "127.0.0.1" || address == "localhost" || address == "::1") {
      gloo_options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(address));
    } else {
      gloo_options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    }
    auto group = c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, static_cast<int>(rank),
                                                              static_cast<int>(world_size), gloo_options);
    *out = new CTProcessGroup{store, group, timeout, rank, world_size};
  });
}

void ct_process_group_free(CTProcessGroup *g) { delete g; }

ct_status ct_process_group_allreduce_sum(CTProcessGroup *g, CTTensor *const *tensors, int64_t count) {
  return guard([&] {
    auto &group = unwrap_group(g);
    auto list = tensor_list(tensors, count);
    if (list.empty()) return;
    c10d::AllreduceOptions options;
    options.reduceOp = c10d::ReduceOp::SUM;
    options.timeout = group.timeout;
    finish(group, group.group->allreduce(list, options), "all-reduce");
  });
}

ct_status ct_process_group_broadcast(CTProcessGroup *g, CTTensor *const *tensors, int64_t count, int64_t root) {
  return guard([&] {
    auto &group = unwrap_group(g);
    if (root < 0 || root >= group.world_size) throw std::invalid_argument("broadcast root out of range");
    auto list = tensor_list(tensors, count);
    if (list.empty()) return;
    c10d::BroadcastOptions options;
    options.rootRank = root;
    options.timeout = group.timeout;
    // Gloo broadcasts one tensor per call site; one call per tensor keeps the C ABI list-shaped.
    for (auto &tensor : list) {
      std::vector<at::Tensor> one{tensor};
      finish(group, group.group->broadcast(one, options), "broadcast");
    }
  });
}

ct_status ct_process_group_barrier(CTProcessGroup *g) {
  return guard([&] {
    auto &group = unwrap_group(g);
    c10d::BarrierOptions options;
    options.timeout = group.timeout;
    finish(group, group.group->barrier(options), "barrier");
  });
}

ct_status ct_distributed_backends(char *buffer, int64_t size) {
  return guard([&] {
    if (buffer == nullptr || size < 1) throw std::invalid_argument("null or empty buffer");
    std::snprintf(buffer, static_cast<size_t>(size), "%s", "gloo");
  });
}

}  // extern "C"
