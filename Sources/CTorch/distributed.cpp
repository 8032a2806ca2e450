// c10d process groups (ProcessGroupGloo over a TCPStore) for data-parallel training. Kept in its own
// translation unit: the c10d and gloo headers are heavy and no other part of the shim needs them.
#define USE_C10D_GLOO 1
#include "shim.h"

#include <chrono>
#include <cstdlib>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

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

}  // namespace

extern "C" {

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
