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
#include <oneapi/dnnl/dnnl.hpp>

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

  void add_step(std::vector<int> reads, int writes, std::function<void(CTFusedNet &, dnnl::stream &)> run) {
    steps.push_back({std::move(reads), writes, std::move(run)});
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
    for (size_t i = 0; i < steps.size(); ++i) {
      int w = steps[i].writes;
      if (w > 0 && !values[w].mem) {
        sizes[w] = std::max<size_t>(values[w].desc.get_size(), 64);
        values[w].mem = memory(values[w].desc, cpu_engine(), take(sizes[w]));
      }
      for (int r : steps[i].reads)
        if (r > 0 && values[r].last_use == static_cast<int>(i) && !values[r].output)
          pool.push_back({values[r].mem.get_data_handle(), sizes[r]});
    }
    planned = true;
  }
};

extern "C" {

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
      if (r >= 0) std::memcpy(n.mem(dst).get_data_handle(), n.mem(r).get_data_handle(), n.values[dst].desc.get_size());
      std::unordered_map<int, memory> args{{DNNL_ARG_SRC, n.mem(s)}, {DNNL_ARG_WEIGHTS, wmem}, {DNNL_ARG_DST, n.mem(dst)}};
      if (bmem) args[DNNL_ARG_BIAS] = bmem;
      prim.execute(st, args);
    });
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
    // Instance normalisation of sample n is batch normalisation (training statistics) of the batch {n}: one
    // primitive for a batch of one, run on each sample's slice of a layout whose batch axis is outermost.
    int s = static_cast<int>(src);
    auto t = known_tag(net->desc(s));
    if (!t || *t == tag::ndhwc || *t == tag::nhwc || *t == tag::nwc) {
      s = net->ensure(s, memory::desc(in, net->desc(s).data_type(), plain_tag(in.size())));
      t = plain_tag(in.size());
    }
    memory::dims one = in;
    one[0] = 1;
    memory::desc sample(one, net->desc(s).data_type(), *t);
    auto flags = dnnl::normalization_flags::use_scale | dnnl::normalization_flags::use_shift;
    dnnl::batch_normalization_forward::desc d(dnnl::prop_kind::forward_training, sample, static_cast<float>(eps), flags);
    dnnl::batch_normalization_forward::primitive_desc pd(d, cpu_engine());
    memory::desc channel_md({channels}, dt::f32, tag::x);
    at::Tensor ones = at::ones({channels}), zeros = at::zeros({channels});
    memory scale = CTFusedNet::pack(weight ? unwrap(weight) : ones, {channels}, tag::x, channel_md, "instance norm weight");
    memory shift = CTFusedNet::pack(bias ? unwrap(bias) : zeros, {channels}, tag::x, channel_md, "instance norm bias");
    memory mean(channel_md, cpu_engine()), variance(channel_md, cpu_engine());
    dnnl::batch_normalization_forward norm(pd);
    int dst = net->add_value(net->desc(s));
    std::optional<dnnl::eltwise_forward> act;
    if (activation != CT_FUSED_IDENTITY) {
      dnnl::eltwise_forward::desc ed(dnnl::prop_kind::forward_inference, dnnl::algorithm::eltwise_relu, net->desc(s),
                                     activation == CT_FUSED_LEAKY_RELU ? alpha : 0.f, 0.f);
      act.emplace(dnnl::eltwise_forward::primitive_desc(ed, cpu_engine()));
    }
    size_t sample_bytes = net->desc(s).get_size() / in[0];
    int64_t batch = in[0];
    net->add_step({s}, dst, [=](CTFusedNet &n, dnnl::stream &st) mutable {
      auto *from = static_cast<char *>(n.mem(s).get_data_handle());
      auto *to = static_cast<char *>(n.mem(dst).get_data_handle());
      for (int64_t i = 0; i < batch; ++i) {
        memory x(sample, cpu_engine(), from + i * sample_bytes), y(sample, cpu_engine(), to + i * sample_bytes);
        norm.execute(st, {{DNNL_ARG_SRC, x}, {DNNL_ARG_DST, y}, {DNNL_ARG_SCALE, scale}, {DNNL_ARG_SHIFT, shift},
                          {DNNL_ARG_MEAN, mean}, {DNNL_ARG_VARIANCE, variance}});
      }
      if (act) act->execute(st, {{DNNL_ARG_SRC, n.mem(dst)}, {DNNL_ARG_DST, n.mem(dst)}});
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
