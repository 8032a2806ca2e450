// CTorch: fused inference graphs on oneDNN.
//
// A network is described once, operation by operation, for one fixed input shape; each operation becomes a oneDNN
// primitive chosen for this CPU, with
//   - activations kept in the primitive's preferred (blocked) layout from layer to layer: a reorder is inserted only
//     where a consumer wants another layout than its producer wrote;
//   - ReLU / leaky ReLU and residual additions fused into the convolution as post-ops (eltwise, sum);
//   - weights reordered into the convolution's layout once, when the graph is built;
//   - activation buffers planned ahead: a buffer is reused as soon as the last reader of its value has run.
// Batch normalisation is folded into the convolution weights by the caller (NN's FusedInference) before they get
// here. Everything runs under no-grad on float32 CPU tensors; bfloat16 activations and weights are offered where the
// CPU has native bf16 instructions (avx512_core_bf16), float32 otherwise.
#include <ATen/Parallel.h>
#include <oneapi/dnnl/dnnl.hpp>

// The graphs are written against oneDNN 2.x, the library Debian's libtorch links (libdnnl2); Package.swift defines
// CTORCH_FUSED for that build. Against another libtorch (e.g. a PyPI wheel, whose headers carry oneDNN 3.x while
// its library keeps oneDNN's symbols to itself) the entry points below say that the graphs are not built in, and
// NeoICH runs its networks through libtorch.
#if defined(CTORCH_FUSED) && DNNL_VERSION_MAJOR == 2

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <numeric>
#include <memory>
#include <optional>

#include "shim.h"

using namespace ctorch;
using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

namespace {

dnnl::engine &cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

bool has_native_bf16() {
  auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
  auto bf16 = static_cast<unsigned>(dnnl::cpu_isa::avx512_core_bf16);
  return (isa & bf16) == bf16;
}

std::string dims_text(const memory::dims &d) {
  std::string s = "(";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
  return s + ")";
}

// The plain format tag of a rank-r tensor in PyTorch's (N, C, spatial…) order.
tag plain_tag(size_t rank) {
  switch (rank) {
  case 3: return tag::ncw;
  case 4: return tag::nchw;
  case 5: return tag::ncdhw;
  default: throw std::invalid_argument("fused graph: tensors must have rank 3, 4 or 5, got " + std::to_string(rank));
  }
}

// The format tag a descriptor was made with, among the layouts oneDNN's CPU primitives choose for activations.
std::optional<tag> known_tag(const memory::desc &desc) {
  auto d = desc.dims();
  std::vector<tag> candidates;
  if (d.size() == 5) candidates = {tag::nCdhw16c, tag::nCdhw8c, tag::ncdhw, tag::ndhwc, tag::nCdhw4c};
  else if (d.size() == 4) candidates = {tag::nChw16c, tag::nChw8c, tag::nchw, tag::nhwc, tag::nChw4c};
  else candidates = {tag::nCw16c, tag::nCw8c, tag::ncw, tag::nwc, tag::nCw4c};
  for (auto t : candidates)
    if (memory::desc(d, desc.data_type(), t) == desc) return t;
  return std::nullopt;
}

// Output size of a window operation, and the right padding oneDNN needs to produce exactly that size.
int64_t window_output(int64_t in, int64_t kernel, int64_t stride, int64_t pad, int64_t dilation) {
  int64_t out = (in + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1;
  if (out < 1)
    throw std::invalid_argument("fused graph: window of " + std::to_string(kernel) + " does not fit an axis of " +
                                std::to_string(in) + " with padding " + std::to_string(pad));
  return out;
}
int64_t right_padding(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t pad, int64_t dilation) {
  return (out - 1) * stride + dilation * (kernel - 1) + 1 - in - pad;
}

memory::dims to_dims(const int64_t *values, size_t count) { return memory::dims(values, values + count); }

// Instance normalisation plus activation in two passes over the data (statistics, then scale-shift-activate)
// instead of oneDNN's batch normalisation run per sample (three passes) and a separate eltwise pass. Elements are
// accumulated in L = max(block, 8) lanes, lane l holding channel (l mod block) of its block, so that the inner loops
// vectorise; float partial sums over chunks of 1024 lane rows are added in double. Channels in a block's padding
// (C not a multiple of the block) are written as 0, as oneDNN expects of padded layouts.
struct InstanceNormKernel {
  int64_t batch, channels, block, spatial;
  at::Tensor gamma, beta;
  double eps;
  bool activate;
  float slope;

  template <int L>
  static void accumulate(const float *x, int64_t count, double *sum, double *squares) {
    int64_t e = 0;
    while (e + L <= count) {
      float fs[L] = {0}, fq[L] = {0};
      int64_t end = std::min(count - count % L, e + 1024 * L);
      for (; e < end; e += L)
        for (int l = 0; l < L; ++l) {
          float v = x[e + l];
          fs[l] += v;
          fq[l] += v * v;
        }
      for (int l = 0; l < L; ++l) {
        sum[l] += fs[l];
        squares[l] += fq[l];
      }
    }
    for (; e < count; ++e) {
      sum[e % L] += x[e];
      squares[e % L] += static_cast<double>(x[e]) * x[e];
    }
  }

  template <int L>
  static void apply(const float *x, float *y, int64_t count, const float *a, const float *c, bool activate, float slope) {
    int64_t e = 0;
    for (; e + L <= count; e += L)
      for (int l = 0; l < L; ++l) {
        float v = x[e + l] * a[l] + c[l];
        y[e + l] = activate && v < 0 ? v * slope : v;
      }
    for (; e < count; ++e) {
      float v = x[e] * a[e % L] + c[e % L];
      y[e] = activate && v < 0 ? v * slope : v;
    }
  }

  void run(const float *x, float *y) const {
    const int64_t blocks = (channels + block - 1) / block, rows = spatial * block;
    const int lanes = block == 16 ? 16 : 8;
    // Each (sample, channel block) is cut into parts so that both threads have work at batch 1.
    const int64_t parts = std::max<int64_t>(1, std::min<int64_t>(16, rows / 65536));
    const int64_t part_rows = (rows / parts + lanes - 1) / lanes * lanes;
    const int64_t tasks = batch * blocks * parts;
    std::vector<double> sums(tasks * 16, 0.0), squares(tasks * 16, 0.0);
    auto range = [&](int64_t task) {
      int64_t part = task % parts, begin = std::min(rows, part * part_rows);
      return std::make_pair(begin, std::min(rows, begin + part_rows));
    };
    at::parallel_for(0, tasks, 1, [&](int64_t first, int64_t last) {
      for (int64_t task = first; task < last; ++task) {
        auto [begin, end] = range(task);
        const float *base = x + (task / parts) * rows + begin;
        if (lanes == 16) accumulate<16>(base, end - begin, &sums[task * 16], &squares[task * 16]);
        else accumulate<8>(base, end - begin, &sums[task * 16], &squares[task * 16]);
      }
    });
    // Per (sample, channel block): scale a and shift c for every lane.
    std::vector<float> a(batch * blocks * 16), c(batch * blocks * 16);
    const float *g = gamma.data_ptr<float>(), *b = beta.data_ptr<float>();
    for (int64_t nb = 0; nb < batch * blocks; ++nb) {
      double sum[16] = {0}, square[16] = {0};
      for (int64_t p = 0; p < parts; ++p)
        for (int l = 0; l < lanes; ++l) {
          sum[l % block] += sums[(nb * parts + p) * 16 + l];
          square[l % block] += squares[(nb * parts + p) * 16 + l];
        }
      for (int l = 0; l < lanes; ++l) {
        int64_t channel = (nb % blocks) * block + l % block;
        if (channel >= channels) {
          a[nb * 16 + l] = 0;
          c[nb * 16 + l] = 0;
          continue;
        }
        double mean = sum[l % block] / spatial;
        double variance = std::max(0.0, square[l % block] / spatial - mean * mean);
        double scale = g[channel] / std::sqrt(variance + eps);
        a[nb * 16 + l] = static_cast<float>(scale);
        c[nb * 16 + l] = static_cast<float>(b[channel] - mean * scale);
      }
    }
    at::parallel_for(0, tasks, 1, [&](int64_t first, int64_t last) {
      for (int64_t task = first; task < last; ++task) {
        auto [begin, end] = range(task);
        int64_t nb = task / parts, offset = nb * rows + begin;
        if (lanes == 16) apply<16>(x + offset, y + offset, end - begin, &a[nb * 16], &c[nb * 16], activate, slope);
        else apply<8>(x + offset, y + offset, end - begin, &a[nb * 16], &c[nb * 16], activate, slope);
      }
    });
  }
};

struct Buffer {
  void *data;
  size_t size;
};

} // namespace

struct CTFusedNet {
  struct Value {
    memory::desc desc;
    memory mem;
    int last_use = -1;
    bool output = false;
  };
  struct Step {
    std::vector<int> reads;
    int writes;
    std::function<void(CTFusedNet &, dnnl::stream &)> run;
    // A read value whose buffer the written value may take over when this step is its last reader (a residual that
    // the convolution's sum post-op accumulates into: no copy then).
    int alias = -1;
  };

  dt precision;
  std::vector<Value> values;
  std::vector<Step> steps;
  std::vector<int> outputs;
  std::vector<std::unique_ptr<void, decltype(&std::free)>> buffers;
  std::vector<std::vector<std::pair<memory::desc, int>>> converted; // per value: copies in other layouts
  bool planned = false;

  const memory::desc &desc(int64_t id) const {
    if (id < 0 || id >= static_cast<int64_t>(values.size()))
      throw std::invalid_argument("fused graph: no value " + std::to_string(id));
    return values[id].desc;
  }
  memory &mem(int id) { return values[id].mem; }

  void check_open() const {
    if (planned) throw std::logic_error("fused graph: operations cannot be added after the first run");
  }

  int add_value(const memory::desc &d) {
    values.push_back({d, memory(), -1, false});
    converted.emplace_back();
    return static_cast<int>(values.size()) - 1;
  }

  void add_step(std::vector<int> reads, int writes, std::function<void(CTFusedNet &, dnnl::stream &)> run,
                int alias = -1) {
    steps.push_back({std::move(reads), writes, std::move(run), alias});
  }

  // The value `id` in the layout `want`: itself, or a copy made by a reorder step (made once per layout).
  int ensure(int id, const memory::desc &want) {
    if (values[id].desc == want) return id;
    for (auto &[d, copy] : converted[id])
      if (d == want) return copy;
    int copy = add_value(want);
    converted[id].push_back({want, copy});
    add_step({id}, copy, [id, copy](CTFusedNet &net, dnnl::stream &s) {
      dnnl::reorder(net.mem(id), net.mem(copy)).execute(s, net.mem(id), net.mem(copy));
    });
    return copy;
  }

  // Persistent weights: a float32 PyTorch tensor of `dims` (in `user_tag` order) reordered into `want`.
  static memory pack(const at::Tensor &tensor, const memory::dims &dims, tag user_tag, const memory::desc &want,
                     const char *what) {
    auto t = tensor.to(at::kFloat).contiguous();
    if (t.numel() != std::accumulate(dims.begin(), dims.end(), int64_t{1}, std::multiplies<int64_t>()))
      throw std::invalid_argument(std::string("fused graph: ") + what + " has " + std::to_string(t.numel()) +
                                  " values, expected the shape " + dims_text(dims));
    memory user({dims, dt::f32, user_tag}, cpu_engine(), t.data_ptr());
    memory packed(want, cpu_engine());
    dnnl::stream s(cpu_engine());
    dnnl::reorder(user, packed).execute(s, user, packed);
    s.wait();
    return packed;
  }

  // Assigns every value a buffer, reusing buffers whose value has been read for the last time.
  void plan() {
    for (auto &v : values) v.last_use = -1;
    for (size_t i = 0; i < steps.size(); ++i)
      for (int r : steps[i].reads)
        if (r >= 0) values[r].last_use = static_cast<int>(i);
    for (int o : outputs) values[o].output = true;
    std::vector<Buffer> pool;
    auto take = [&](size_t size) -> void * {
      auto best = pool.end();
      for (auto it = pool.begin(); it != pool.end(); ++it)
        if (it->size >= size && (best == pool.end() || it->size < best->size)) best = it;
      if (best != pool.end()) {
        void *data = best->data;
        pool.erase(best);
        return data;
      }
      size_t rounded = (size + 63) / 64 * 64;
      void *data = std::aligned_alloc(64, rounded);
      if (data == nullptr) throw std::bad_alloc();
      buffers.emplace_back(data, &std::free);
      return data;
    };
    std::vector<size_t> sizes(values.size(), 0);
    std::vector<bool> moved(values.size(), false);
    for (size_t i = 0; i < steps.size(); ++i) {
      int w = steps[i].writes, alias = steps[i].alias;
      if (w > 0 && !values[w].mem) {
        if (alias > 0 && values[alias].last_use == static_cast<int>(i) && !values[alias].output &&
            values[alias].desc == values[w].desc) {
          sizes[w] = sizes[alias];
          values[w].mem = memory(values[w].desc, cpu_engine(), values[alias].mem.get_data_handle());
          moved[alias] = true;
        } else {
          sizes[w] = std::max<size_t>(values[w].desc.get_size(), 64);
          values[w].mem = memory(values[w].desc, cpu_engine(), take(sizes[w]));
        }
      }
      for (int r : steps[i].reads)
        if (r > 0 && values[r].last_use == static_cast<int>(i) && !values[r].output && !moved[r])
          pool.push_back({values[r].mem.get_data_handle(), sizes[r]});
    }
    planned = true;
  }
};

extern "C" {

ct_status ct_fused_describe(char *buffer, int64_t size) {
  return guard([&] {
    const dnnl_version_t *v = dnnl_version();
    std::string isa;
    switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::avx512_core_amx: isa = "AVX-512 with AMX and bf16"; break;
    case dnnl::cpu_isa::avx512_core_bf16: isa = "AVX-512 with bf16"; break;
    case dnnl::cpu_isa::avx512_core_vnni: isa = "AVX-512 with VNNI"; break;
    case dnnl::cpu_isa::avx512_core: isa = "AVX-512"; break;
    case dnnl::cpu_isa::avx2_vnni: isa = "AVX2 with VNNI"; break;
    case dnnl::cpu_isa::avx2: isa = "AVX2"; break;
    case dnnl::cpu_isa::avx: isa = "AVX"; break;
    case dnnl::cpu_isa::sse41: isa = "SSE4.1"; break;
    default: isa = "other"; break;
    }
    std::string text = "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
                       std::to_string(v->patch) + ", " + isa;
    if (size > 0) {
      std::strncpy(buffer, text.c_str(), static_cast<size_t>(size - 1));
      buffer[size - 1] = 0;
    }
  });
}

ct_status ct_fused_available(ct_fused_precision precision, bool *out) {
  return guard([&] { *out = precision == CT_FUSED_F32 ? true : has_native_bf16(); });
}

ct_status ct_fused_create(const int64_t *input_shape, int64_t rank, ct_fused_precision precision, CTFusedNet **out) {
  return guard([&] {
    if (rank < 3 || rank > 5) throw std::invalid_argument("fused graph: the input must have rank 3, 4 or 5");
    auto dims = to_dims(input_shape, rank);
    for (auto d : dims)
      if (d < 1) throw std::invalid_argument("fused graph: input shape " + dims_text(dims) + " has an empty axis");
    if (precision == CT_FUSED_BF16 && !has_native_bf16())
      throw std::invalid_argument("bfloat16 inference needs a CPU with native bf16 instructions (avx512_bf16); this one "
                                  "has none: use float32");
    auto net = std::make_unique<CTFusedNet>();
    net->precision = precision == CT_FUSED_BF16 ? dt::bf16 : dt::f32;
    net->add_value(memory::desc(dims, dt::f32, plain_tag(dims.size()))); // value 0: the caller's input
    *out = net.release();
  });
}

void ct_fused_free(CTFusedNet *net) { delete net; }

ct_status ct_fused_shape(const CTFusedNet *net, int64_t value, int64_t *shape, int64_t *rank) {
  return guard([&] {
    auto d = net->desc(value).dims();
    *rank = static_cast<int64_t>(d.size());
    std::copy(d.begin(), d.end(), shape);
  });
}

ct_status ct_fused_conv(CTFusedNet *net, int64_t src, const CTTensor *weight, const CTTensor *bias,
                        const int64_t *stride, const int64_t *padding, const int64_t *dilation, int64_t residual,
                        ct_fused_activation activation, float alpha, int64_t *out) {
  return guard([&] {
    net->check_open();
    auto in = net->desc(src).dims();
    size_t spatial = in.size() - 2;
    const auto &w = unwrap(weight);
    if (w.dim() != static_cast<int64_t>(in.size()) || w.size(1) != in[1])
      throw std::invalid_argument("fused graph: convolution weight " + dims_text(w.sizes().vec()) +
                                  " does not fit an input of " + dims_text(in));
    memory::dims wdims = w.sizes().vec(), strides(stride, stride + spatial), dil(spatial), pl(spatial), pr(spatial);
    memory::dims outd = {in[0], wdims[0]};
    for (size_t i = 0; i < spatial; ++i) {
      int64_t o = window_output(in[i + 2], wdims[i + 2], stride[i], padding[i], dilation[i]);
      outd.push_back(o);
      dil[i] = dilation[i] - 1;
      pl[i] = padding[i];
      pr[i] = right_padding(in[i + 2], o, wdims[i + 2], stride[i], padding[i], dilation[i]);
    }
    auto p = net->precision;
    memory::desc src_any(in, p, tag::any), w_any(wdims, p, tag::any), dst_any(outd, p, tag::any);
    memory::desc bias_md = bias ? memory::desc({wdims[0]}, dt::f32, tag::x) : memory::desc();
    dnnl::post_ops ops;
    if (residual >= 0) {
      if (net->desc(residual).dims() != outd)
        throw std::invalid_argument("fused graph: residual " + dims_text(net->desc(residual).dims()) +
                                    " does not match the convolution's output " + dims_text(outd));
      ops.append_sum(1.f);
    }
    if (activation != CT_FUSED_IDENTITY)
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, activation == CT_FUSED_LEAKY_RELU ? alpha : 0.f, 0.f);
    dnnl::primitive_attr attr;
    attr.set_post_ops(ops);
    dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src_any,
                                      w_any, bias_md, dst_any, strides, dil, pl, pr);
    dnnl::convolution_forward::primitive_desc pd(d, attr, cpu_engine());
    int s = net->ensure(static_cast<int>(src), pd.src_desc());
    memory wmem = CTFusedNet::pack(w, wdims, plain_tag(wdims.size()), pd.weights_desc(), "convolution weight");
    memory bmem = bias ? CTFusedNet::pack(unwrap(bias), {wdims[0]}, tag::x, bias_md, "convolution bias") : memory();
    int r = residual >= 0 ? net->ensure(static_cast<int>(residual), pd.dst_desc()) : -1;
    int dst = net->add_value(pd.dst_desc());
    dnnl::convolution_forward prim(pd);
    net->add_step({s, r}, dst, [=](CTFusedNet &n, dnnl::stream &st) mutable {
      // The sum post-op accumulates into the destination: it starts as a copy of the residual.
      void *to = n.mem(dst).get_data_handle(), *from = r >= 0 ? n.mem(r).get_data_handle() : nullptr;
      if (r >= 0 && to != from) std::memcpy(to, from, n.values[dst].desc.get_size());
      std::unordered_map<int, memory> args{{DNNL_ARG_SRC, n.mem(s)}, {DNNL_ARG_WEIGHTS, wmem}, {DNNL_ARG_DST, n.mem(dst)}};
      if (bmem) args[DNNL_ARG_BIAS] = bmem;
      prim.execute(st, args);
    }, r);
    *out = dst;
  });
}

ct_status ct_fused_deconv(CTFusedNet *net, int64_t src, const CTTensor *weight, const CTTensor *bias,
                          const int64_t *stride, const int64_t *padding, int64_t *out) {
  return guard([&] {
    net->check_open();
    auto in = net->desc(src).dims();
    size_t spatial = in.size() - 2;
    const auto &w = unwrap(weight); // PyTorch: (in, out, k…)
    if (w.dim() != static_cast<int64_t>(in.size()) || w.size(0) != in[1])
      throw std::invalid_argument("fused graph: transposed convolution weight " + dims_text(w.sizes().vec()) +
                                  " does not fit an input of " + dims_text(in));
    memory::dims wdims = w.sizes().vec();
    std::swap(wdims[0], wdims[1]); // oneDNN: (out, in, k…), described over PyTorch's storage by the io… tag
    memory::dims strides(stride, stride + spatial), pl(padding, padding + spatial), pr(spatial);
    memory::dims outd = {in[0], wdims[0]};
    for (size_t i = 0; i < spatial; ++i) {
      int64_t o = (in[i + 2] - 1) * stride[i] - 2 * padding[i] + wdims[i + 2];
      outd.push_back(o);
      pr[i] = (in[i + 2] - 1) * stride[i] + wdims[i + 2] - o - padding[i];
    }
    auto p = net->precision;
    memory::desc src_any(in, p, tag::any), w_any(wdims, p, tag::any), dst_any(outd, p, tag::any);
    memory::desc bias_md = bias ? memory::desc({wdims[0]}, dt::f32, tag::x) : memory::desc();
    dnnl::deconvolution_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::deconvolution_direct,
                                        src_any, w_any, bias_md, dst_any, strides, pl, pr);
    dnnl::deconvolution_forward::primitive_desc pd(d, cpu_engine());
    int s = net->ensure(static_cast<int>(src), pd.src_desc());
    tag user = spatial == 3 ? tag::iodhw : spatial == 2 ? tag::iohw : tag::bac;
    memory wmem = CTFusedNet::pack(w, wdims, user, pd.weights_desc(), "transposed convolution weight");
    memory bmem = bias ? CTFusedNet::pack(unwrap(bias), {wdims[0]}, tag::x, bias_md, "transposed convolution bias") : memory();
    int dst = net->add_value(pd.dst_desc());
    dnnl::deconvolution_forward prim(pd);
    net->add_step({s}, dst, [=](CTFusedNet &n, dnnl::stream &st) mutable {
      std::unordered_map<int, memory> args{{DNNL_ARG_SRC, n.mem(s)}, {DNNL_ARG_WEIGHTS, wmem}, {DNNL_ARG_DST, n.mem(dst)}};
      if (bmem) args[DNNL_ARG_BIAS] = bmem;
      prim.execute(st, args);
    });
    *out = dst;
  });
}

ct_status ct_fused_pool(CTFusedNet *net, int64_t src, bool max, const int64_t *kernel, const int64_t *stride,
                        const int64_t *padding, int64_t *out) {
  return guard([&] {
    net->check_open();
    const auto &sd = net->desc(src);
    auto in = sd.dims();
    size_t spatial = in.size() - 2;
    memory::dims k(kernel, kernel + spatial), strides(stride, stride + spatial), pl(padding, padding + spatial), pr(spatial);
    memory::dims outd = {in[0], in[1]};
    for (size_t i = 0; i < spatial; ++i) {
      int64_t o = window_output(in[i + 2], k[i], strides[i], pl[i], 1);
      outd.push_back(o);
      pr[i] = right_padding(in[i + 2], o, k[i], strides[i], pl[i], 1);
    }
    // Max pooling ignores the padding (PyTorch pads with −∞); average pooling divides by the full window, as
    // PyTorch's count_include_pad default (the global average pool has no padding at all).
    auto alg = max ? dnnl::algorithm::pooling_max : dnnl::algorithm::pooling_avg_include_padding;
    dnnl::pooling_forward::desc d(dnnl::prop_kind::forward_inference, alg, sd, memory::desc(outd, sd.data_type(), tag::any),
                                  strides, k, pl, pr);
    dnnl::pooling_forward::primitive_desc pd(d, cpu_engine());
    int s = net->ensure(static_cast<int>(src), pd.src_desc());
    int dst = net->add_value(pd.dst_desc());
    dnnl::pooling_forward prim(pd);
    net->add_step({s}, dst, [=](CTFusedNet &n, dnnl::stream &st) mutable {
      prim.execute(st, {{DNNL_ARG_SRC, n.mem(s)}, {DNNL_ARG_DST, n.mem(dst)}});
    });
    *out = dst;
  });
}

ct_status ct_fused_instance_norm(CTFusedNet *net, int64_t src, const CTTensor *weight, const CTTensor *bias,
                                 double eps, ct_fused_activation activation, float alpha, int64_t *out) {
  return guard([&] {
    net->check_open();
    auto in = net->desc(src).dims();
    int64_t channels = in[1];
    // The kernel reads the layouts whose batch axis is outermost and whose channels come in blocks of 1, 4, 8 or 16
    // innermost (plain ncdhw and oneDNN's nCdhw{4,8,16}c); anything else is reordered to plain first.
    int s = static_cast<int>(src);
    auto t = known_tag(net->desc(s));
    int64_t block = 0;
    if (t) {
      switch (*t) {
      case tag::nCdhw16c: case tag::nChw16c: case tag::nCw16c: block = 16; break;
      case tag::nCdhw8c: case tag::nChw8c: case tag::nCw8c: block = 8; break;
      case tag::nCdhw4c: case tag::nChw4c: case tag::nCw4c: block = 4; break;
      case tag::ncdhw: case tag::nchw: case tag::ncw: block = 1; break;
      default: break;
      }
    }
    if (block == 0 || net->desc(s).data_type() != dt::f32) {
      s = net->ensure(s, memory::desc(in, dt::f32, plain_tag(in.size())));
      block = 1;
    }
    at::Tensor gamma = weight ? unwrap(weight).to(at::kFloat).contiguous() : at::ones({channels});
    at::Tensor beta = bias ? unwrap(bias).to(at::kFloat).contiguous() : at::zeros({channels});
    if (gamma.numel() != channels || beta.numel() != channels)
      throw std::invalid_argument("fused graph: instance norm parameters of " + std::to_string(gamma.numel()) +
                                  " channels for an input of " + std::to_string(channels));
    int64_t spatial = 1;
    for (size_t i = 2; i < in.size(); ++i) spatial *= in[i];
    InstanceNormKernel kernel{in[0], channels, block, spatial, gamma, beta, eps, activation != CT_FUSED_IDENTITY,
                              activation == CT_FUSED_LEAKY_RELU ? alpha : 0.f};
    int dst = net->add_value(net->desc(s));
    net->add_step({s}, dst, [=](CTFusedNet &n, dnnl::stream &st) {
      st.wait();
      kernel.run(static_cast<const float *>(n.mem(s).get_data_handle()), static_cast<float *>(n.mem(dst).get_data_handle()));
    });
    *out = dst;
  });
}

ct_status ct_fused_concat(CTFusedNet *net, const int64_t *sources, int64_t count, int64_t *out) {
  return guard([&] {
    net->check_open();
    if (count < 1) throw std::invalid_argument("fused graph: concatenation of nothing");
    std::vector<memory::desc> descs;
    std::vector<int> ids;
    for (int64_t i = 0; i < count; ++i) {
      descs.push_back(net->desc(sources[i]));
      ids.push_back(static_cast<int>(sources[i]));
    }
    dnnl::concat::primitive_desc pd(1, descs, cpu_engine());
    int dst = net->add_value(pd.dst_desc());
    dnnl::concat prim(pd);
    net->add_step(ids, dst, [=](CTFusedNet &n, dnnl::stream &st) mutable {
      std::unordered_map<int, memory> args{{DNNL_ARG_DST, n.mem(dst)}};
      for (size_t i = 0; i < ids.size(); ++i) args[DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i)] = n.mem(ids[i]);
      prim.execute(st, args);
    });
    *out = dst;
  });
}

ct_status ct_fused_mark_output(CTFusedNet *net, int64_t value) {
  return guard([&] {
    net->check_open();
    net->desc(value);
    net->outputs.push_back(static_cast<int>(value));
  });
}

ct_status ct_fused_run(CTFusedNet *net, const CTTensor *input, CTTensor **results) {
  return guard([&] {
    if (net->outputs.empty()) throw std::logic_error("fused graph: no output marked");
    const auto &x = unwrap(input);
    auto want = net->values[0].desc.dims();
    if (x.device().type() != at::kCPU || x.scalar_type() != at::kFloat || x.sizes().vec() != want)
      throw std::invalid_argument("fused graph built for a float32 CPU input of " + dims_text(want) + ", got " +
                                  std::string(c10::toString(x.scalar_type())) + " " + dims_text(x.sizes().vec()) +
                                  " on " + x.device().str());
    if (!net->planned) net->plan();
    at::NoGradGuard no_grad;
    auto contiguous = x.contiguous();
    net->values[0].mem = memory(net->values[0].desc, cpu_engine(), contiguous.data_ptr());
    dnnl::stream stream(cpu_engine());
    for (auto &step : net->steps) step.run(*net, stream);
    for (size_t i = 0; i < net->outputs.size(); ++i) {
      int o = net->outputs[i];
      auto d = net->values[o].desc.dims();
      auto result = at::empty(d, at::kFloat);
      memory user(memory::desc(d, dt::f32, plain_tag(d.size())), cpu_engine(), result.data_ptr());
      dnnl::reorder(net->mem(o), user).execute(stream, net->mem(o), user);
      results[i] = wrap(result);
    }
    stream.wait();
    net->values[0].mem = memory();
  });
}

} // extern "C"

#else // no fused graphs in this build

#include "shim.h"

using namespace ctorch;

struct CTFusedNet {};

namespace {
[[noreturn]] void not_built() {
  throw std::runtime_error("fused inference graphs are not built into this NeoICH: they need Debian's oneDNN 2.x "
                           "(the default build against Debian's libtorch); use --engine libtorch");
}
} // namespace

extern "C" {
ct_status ct_fused_describe(char *buffer, int64_t size) {
  return guard([&] {
    const char *text = "not built in (this libtorch's oneDNN headers are not Debian's oneDNN 2.x)";
    if (size > 0) {
      std::strncpy(buffer, text, static_cast<size_t>(size - 1));
      buffer[size - 1] = 0;
    }
  });
}
ct_status ct_fused_available(ct_fused_precision, bool *out) { return guard([&] { *out = false; }); }
ct_status ct_fused_create(const int64_t *, int64_t, ct_fused_precision, CTFusedNet **) { return guard([] { not_built(); }); }
void ct_fused_free(CTFusedNet *net) { delete net; }
ct_status ct_fused_shape(const CTFusedNet *, int64_t, int64_t *, int64_t *) { return guard([] { not_built(); }); }
ct_status ct_fused_conv(CTFusedNet *, int64_t, const CTTensor *, const CTTensor *, const int64_t *, const int64_t *,
                        const int64_t *, int64_t, ct_fused_activation, float, int64_t *) {
  return guard([] { not_built(); });
}
ct_status ct_fused_deconv(CTFusedNet *, int64_t, const CTTensor *, const CTTensor *, const int64_t *, const int64_t *,
                          int64_t *) {
  return guard([] { not_built(); });
}
ct_status ct_fused_pool(CTFusedNet *, int64_t, bool, const int64_t *, const int64_t *, const int64_t *, int64_t *) {
  return guard([] { not_built(); });
}
ct_status ct_fused_instance_norm(CTFusedNet *, int64_t, const CTTensor *, const CTTensor *, double, ct_fused_activation,
                                 float, int64_t *) {
  return guard([] { not_built(); });
}
ct_status ct_fused_concat(CTFusedNet *, const int64_t *, int64_t, int64_t *) { return guard([] { not_built(); }); }
ct_status ct_fused_mark_output(CTFusedNet *, int64_t) { return guard([] { not_built(); }); }
ct_status ct_fused_run(CTFusedNet *, const CTTensor *, CTTensor **) { return guard([] { not_built(); }); }
} // extern "C"

#endif
