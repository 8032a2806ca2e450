// CTorch: neural-network functional ops, including the oneDNN convolution path and guided-backprop ReLU.
#include <ATen/native/ConvUtils.h>
#include <torch/csrc/autograd/custom_function.h>

#include "shim.h"

using namespace ctorch;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

namespace {

std::vector<int64_t> to_vector(const int64_t *data, int64_t len) {
  auto ref = ints(data, len);
  return std::vector<int64_t>(ref.begin(), ref.end());
}

// Convolution through oneDNN for forward *and* backward. libtorch 1.13 picks oneDNN only by a size heuristic
// (batch > 1, or large N·C·D·H), and its convolution_backward re-applies that heuristic, so batch-1 3-D
// networks fall back to slow_conv3d (≈ 10× slower on a 2-core CPU). Calling the oneDNN kernels directly
// keeps every call on the fast path; gradients are checked against the default path in the tests.
// Two variants because a custom autograd function cannot take an undefined tensor argument.
struct ConvolutionSettings {
  std::vector<int64_t> stride, padding, dilation;
  int64_t groups;
};

void save_settings(AutogradContext *ctx, const ConvolutionSettings &s) {
  ctx->saved_data["stride"] = s.stride;
  ctx->saved_data["padding"] = s.padding;
  ctx->saved_data["dilation"] = s.dilation;
  ctx->saved_data["groups"] = s.groups;
}

std::tuple<at::Tensor, at::Tensor, at::Tensor> onednn_backward(AutogradContext *ctx, const at::Tensor &grad_output,
                                                               bool has_bias) {
  auto saved = ctx->get_saved_variables();
  auto stride = ctx->saved_data["stride"].toIntVector();
  auto padding = ctx->saved_data["padding"].toIntVector();
  auto dilation = ctx->saved_data["dilation"].toIntVector();
  auto groups = ctx->saved_data["groups"].toInt();
  std::array<bool, 3> mask = {ctx->needs_input_grad(0), ctx->needs_input_grad(1),
                              has_bias && ctx->needs_input_grad(2)};
  if (!(mask[0] || mask[1] || mask[2])) return {};
  // The stub's own dispatch is compiled with per-architecture macros that must match the library build;
  // the oneDNN backward is registered for every CPU capability, so its DEFAULT entry is the kernel itself.
  using Stub = decltype(at::native::mkldnn_convolution_backward_stub);
  auto kernel = Stub::DEFAULT;
  if (kernel == nullptr) throw std::runtime_error("libtorch has no oneDNN convolution backward kernel");
  // Kernels below the autograd layer must run with autograd dispatch excluded, as the dispatcher would.
  at::AutoDispatchBelowADInplaceOrView below_autograd;
  auto grads = kernel(saved[0], grad_output.contiguous(), saved[1], padding, stride, dilation, groups, mask);
  return {mask[0] ? std::get<0>(grads) : at::Tensor(), mask[1] ? std::get<1>(grads) : at::Tensor(),
          mask[2] ? std::get<2>(grads) : at::Tensor()};
}

struct OneDNNConvolution : public torch::autograd::Function<OneDNNConvolution> {
  static at::Tensor forward(AutogradContext *ctx, const at::Tensor &input, const at::Tensor &weight,
                            ConvolutionSettings s) {
    ctx->save_for_backward({input, weight});
    save_settings(ctx, s);
    return at::mkldnn_convolution(input.contiguous(), weight.contiguous(), c10::nullopt, s.padding, s.stride,
                                  s.dilation, s.groups);
  }

  static variable_list backward(AutogradContext *ctx, variable_list grad_outputs) {
    auto grads = onednn_backward(ctx, grad_outputs[0], false);
    return {std::get<0>(grads), std::get<1>(grads), at::Tensor()};
  }
};

struct OneDNNConvolutionWithBias : public torch::autograd::Function<OneDNNConvolutionWithBias> {
  static at::Tensor forward(AutogradContext *ctx, const at::Tensor &input, const at::Tensor &weight,
                            const at::Tensor &bias, ConvolutionSettings s) {
    ctx->save_for_backward({input, weight});
    save_settings(ctx, s);
    return at::mkldnn_convolution(input.contiguous(), weight.contiguous(), bias, s.padding, s.stride, s.dilation,
                                  s.groups);
  }

  static variable_list backward(AutogradContext *ctx, variable_list grad_outputs) {
    auto grads = onednn_backward(ctx, grad_outputs[0], true);
    return {std::get<0>(grads), std::get<1>(grads), std::get<2>(grads), at::Tensor()};
  }
};

// Guided backpropagation (Springenberg et al.): only positive gradients flow, and only through positive inputs.
struct GuidedReLU : public torch::autograd::Function<GuidedReLU> {
  static at::Tensor forward(AutogradContext *ctx, const at::Tensor &input) {
    auto output = input.relu();
    ctx->save_for_backward({input});
    return output;
  }

  static variable_list backward(AutogradContext *ctx, variable_list grad_outputs) {
    auto input = ctx->get_saved_variables()[0];
    return {grad_outputs[0].clamp_min(0) * input.gt(0).to(grad_outputs[0].scalar_type())};
  }
};

void check_spatial(int64_t dims) {
  if (dims < 1 || dims > 3) throw std::invalid_argument("spatial dims must be 1, 2 or 3, got " + std::to_string(dims));
}

}  // namespace

extern "C" {

ct_status ct_conv_nd(const CTTensor *input, const CTTensor *weight, const CTTensor *bias, const int64_t *stride,
                     const int64_t *padding, const int64_t *dilation, int64_t spatial_dims, int64_t groups,
                     ct_conv_backend backend, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    check_spatial(spatial_dims);
    const auto &x = unwrap(input);
    const auto &w = unwrap(weight);
    auto s = to_vector(stride, spatial_dims);
    auto p = to_vector(padding, spatial_dims);
    auto d = to_vector(dilation, spatial_dims);
    if (backend == CT_CONV_ONEDNN) {
      if (!at::hasMKLDNN()) throw std::runtime_error("oneDNN convolution requested but libtorch has no MKLDNN");
      if (!x.device().is_cpu() || x.scalar_type() != at::kFloat)
        throw std::invalid_argument("oneDNN convolution needs float32 CPU tensors");
      if (x.dim() != spatial_dims + 2)
        throw std::invalid_argument("oneDNN convolution expects a batched input of " +
                                    std::to_string(spatial_dims + 2) + " dims, got " + std::to_string(x.dim()));
      ConvolutionSettings settings{s, p, d, groups};
      *out = wrap(bias ? OneDNNConvolutionWithBias::apply(x, w, unwrap(bias), settings)
                       : OneDNNConvolution::apply(x, w, settings));
    } else {
      std::vector<int64_t> output_padding(static_cast<size_t>(spatial_dims), 0);
      *out = wrap(at::convolution(x, w, optional(bias), s, p, d, false, output_padding, groups));
    }
  });
}

ct_status ct_conv_transpose_nd(const CTTensor *input, const CTTensor *weight, const CTTensor *bias,
                               const int64_t *stride, const int64_t *padding, const int64_t *output_padding,
                               const int64_t *dilation, int64_t spatial_dims, int64_t groups, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    check_spatial(spatial_dims);
    *out = wrap(at::convolution(unwrap(input), unwrap(weight), optional(bias), ints(stride, spatial_dims),
                                ints(padding, spatial_dims), ints(dilation, spatial_dims), true,
                                ints(output_padding, spatial_dims), groups));
  });
}

ct_status ct_batch_norm(const CTTensor *input, const CTTensor *weight, const CTTensor *bias, CTTensor *running_mean,
                        CTTensor *running_var, bool training, double momentum, double eps, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(at::batch_norm(unwrap(input), optional(weight), optional(bias), optional(running_mean),
                               optional(running_var), training, momentum, eps, false));
  });
}

ct_status ct_instance_norm(const CTTensor *input, const CTTensor *weight, const CTTensor *bias, double eps,
                           CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(at::instance_norm(unwrap(input), optional(weight), optional(bias), c10::nullopt, c10::nullopt,
                                  true, 0.1, eps, false));
  });
}

ct_status ct_max_pool_nd(const CTTensor *input, const int64_t *kernel, const int64_t *stride, const int64_t *padding,
                         const int64_t *dilation, int64_t spatial_dims, bool ceil_mode, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    check_spatial(spatial_dims);
    const auto &x = unwrap(input);
    auto k = ints(kernel, spatial_dims), s = ints(stride, spatial_dims), p = ints(padding, spatial_dims),
         d = ints(dilation, spatial_dims);
    switch (spatial_dims) {
      case 1: *out = wrap(at::max_pool1d(x, k, s, p, d, ceil_mode)); break;
      case 2: *out = wrap(at::max_pool2d(x, k, s, p, d, ceil_mode)); break;
      default: *out = wrap(at::max_pool3d(x, k, s, p, d, ceil_mode)); break;
    }
  });
}

ct_status ct_max_pool3d_onednn(const CTTensor *input, const int64_t *kernel, const int64_t *stride, const int64_t *padding,
                               bool ceil_mode, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    const auto &x = unwrap(input);
    if (!x.device().is_cpu() || x.scalar_type() != at::kFloat || x.dim() != 5)
      throw std::invalid_argument("oneDNN max pooling needs a float32 CPU (N, C, D, H, W) tensor");
    if (c10::GradMode::is_enabled() && x.requires_grad())
      throw std::invalid_argument("oneDNN max pooling records no gradient; use it under no-grad only");
    at::NoGradGuard no_grad;
    *out = wrap(at::mkldnn_max_pool3d(x.contiguous().to_mkldnn(), ints(kernel, 3), ints(stride, 3), ints(padding, 3),
                                      {1, 1, 1}, ceil_mode).to_dense());
  });
}

ct_status ct_avg_pool_nd(const CTTensor *input, const int64_t *kernel, const int64_t *stride, const int64_t *padding,
                         int64_t spatial_dims, bool ceil_mode, bool count_include_pad, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    check_spatial(spatial_dims);
    const auto &x = unwrap(input);
    auto k = ints(kernel, spatial_dims), s = ints(stride, spatial_dims), p = ints(padding, spatial_dims);
    switch (spatial_dims) {
      case 1: *out = wrap(at::avg_pool1d(x, k, s, p, ceil_mode, count_include_pad)); break;
      case 2: *out = wrap(at::avg_pool2d(x, k, s, p, ceil_mode, count_include_pad)); break;
      default: *out = wrap(at::avg_pool3d(x, k, s, p, ceil_mode, count_include_pad)); break;
    }
  });
}

ct_status ct_adaptive_avg_pool_nd(const CTTensor *input, const int64_t *output_size, int64_t spatial_dims,
                                  CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    check_spatial(spatial_dims);
    const auto &x = unwrap(input);
    auto size = ints(output_size, spatial_dims);
    switch (spatial_dims) {
      case 1: *out = wrap(at::adaptive_avg_pool1d(x, size)); break;
      case 2: *out = wrap(at::adaptive_avg_pool2d(x, size)); break;
      default: *out = wrap(at::adaptive_avg_pool3d(x, size)); break;
    }
  });
}

ct_status ct_linear(const CTTensor *input, const CTTensor *weight, const CTTensor *bias, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(at::linear(unwrap(input), unwrap(weight), optional(bias)));
  });
}

ct_status ct_dropout(const CTTensor *input, double p, bool training, CTGenerator *g, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    const auto &x = unwrap(input);
    if (p < 0 || p > 1) throw std::invalid_argument("dropout probability must be in [0, 1], got " + std::to_string(p));
    if (!training || p == 0) {
      *out = wrap(x);
    } else if (p == 1) {
      *out = wrap(x * 0);
    } else {
      auto keep = at::empty_like(x).bernoulli_(1 - p, optional(g));
      *out = wrap(x * keep / (1 - p));
    }
  });
}

ct_status ct_softmax(const CTTensor *input, int64_t dim, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(at::softmax(unwrap(input), dim));
  });
}

ct_status ct_log_softmax(const CTTensor *input, int64_t dim, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(at::log_softmax(unwrap(input), dim));
  });
}

ct_status ct_nll_loss(const CTTensor *log_probs, const CTTensor *target, const CTTensor *weight, int64_t reduction,
                      int64_t ignore_index, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(at::nll_loss_nd(unwrap(log_probs), unwrap(target), optional(weight), reduction, ignore_index));
  });
}

ct_status ct_cross_entropy(const CTTensor *logits, const CTTensor *target, const CTTensor *weight,
                           int64_t reduction, int64_t ignore_index, double label_smoothing, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(at::cross_entropy_loss(unwrap(logits), unwrap(target), optional(weight), reduction, ignore_index,
                                       label_smoothing));
  });
}

ct_status ct_interpolate(const CTTensor *input, const int64_t *size, int64_t spatial_dims, int32_t mode,
                         bool align_corners, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    check_spatial(spatial_dims);
    const auto &x = unwrap(input);
    auto s = ints(size, spatial_dims);
    if (x.dim() != spatial_dims + 2)
      throw std::invalid_argument("interpolate expects (N, C, spatial…) with " + std::to_string(spatial_dims) +
                                  " spatial dims, got a " + std::to_string(x.dim()) + "-D tensor");
    at::Tensor y;
    if (mode == 0) {
      switch (spatial_dims) {
        case 1: y = at::upsample_nearest1d(x, s, c10::nullopt); break;
        case 2: y = at::upsample_nearest2d(x, s, c10::nullopt, c10::nullopt); break;
        default: y = at::upsample_nearest3d(x, s, c10::nullopt, c10::nullopt, c10::nullopt); break;
      }
    } else if (mode == 1) {
      switch (spatial_dims) {
        case 1: y = at::upsample_linear1d(x, s, align_corners, c10::nullopt); break;
        case 2: y = at::upsample_bilinear2d(x, s, align_corners, c10::nullopt, c10::nullopt); break;
        default: y = at::upsample_trilinear3d(x, s, align_corners, c10::nullopt, c10::nullopt, c10::nullopt); break;
      }
    } else if (mode == 2) {
      if (spatial_dims != 2) throw std::invalid_argument("bicubic interpolation is 2-D only in libtorch");
      y = at::upsample_bicubic2d(x, s, align_corners, c10::nullopt, c10::nullopt);
    } else {
      throw std::invalid_argument("unknown interpolation mode " + std::to_string(mode));
    }
    *out = wrap(y);
  });
}

ct_status ct_affine_grid(const CTTensor *theta, const int64_t *size, int64_t ndim, bool align_corners,
                         CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(at::affine_grid_generator(unwrap(theta), ints(size, ndim), align_corners));
  });
}

ct_status ct_grid_sample(const CTTensor *input, const CTTensor *grid, int32_t mode, int32_t padding_mode,
                         bool align_corners, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    if (mode < 0 || mode > 2) throw std::invalid_argument("unknown grid_sample mode " + std::to_string(mode));
    if (padding_mode < 0 || padding_mode > 2)
      throw std::invalid_argument("unknown grid_sample padding mode " + std::to_string(padding_mode));
    *out = wrap(at::grid_sampler(unwrap(input), unwrap(grid), mode, padding_mode, align_corners));
  });
}

ct_status ct_guided_relu(const CTTensor *input, CTTensor **out) {
  return guard([&] {
    require_out(out, "out");
    *out = wrap(GuidedReLU::apply(unwrap(input)));
  });
}

}  // extern "C"
