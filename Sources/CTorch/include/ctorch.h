/*
 * ctorch.h — NeoICH's C ABI over libtorch.
 *
 * Conventions (every function):
 *   - returns CT_OK (0) on success, CT_ERROR (1) on failure; results come back through out-parameters;
 *   - on failure the message (libtorch's own text for C++ exceptions) is stored thread-locally and read with
 *     ct_last_error() right after the call;
 *   - every handle the shim allocates is released with its free function (ct_tensor_free, ct_generator_free);
 *   - optional tensors are NULL; integer lists are (const int64_t *data, int64_t len);
 *   - a tensor handle has exactly one owner; a second owner is an explicit ct_tensor_shallow_clone.
 */
#ifndef CTORCH_H
#define CTORCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* MARK: - Handles (each kind is its own incomplete type) */
typedef struct CTTensor CTTensor;
typedef struct CTGenerator CTGenerator;

typedef int32_t ct_status;
#define CT_OK 0
#define CT_ERROR 1

/* Element types; values are NeoICH's own, mapped to c10::ScalarType in the shim. */
typedef enum {
  CT_FLOAT32 = 0,
  CT_FLOAT64 = 1,
  CT_FLOAT16 = 2,
  CT_BFLOAT16 = 3,
  CT_INT64 = 4,
  CT_INT32 = 5,
  CT_INT16 = 6,
  CT_UINT8 = 7,
  CT_BOOL = 8,
  CT_INT8 = 9,
} ct_dtype;

typedef enum { CT_CPU = 0, CT_CUDA = 1 } ct_device_type;

/* MARK: - Errors and runtime */
const char *ct_last_error(void);
/* Number of tensor handles currently alive (created and not yet freed). */
int64_t ct_live_tensors(void);
/* Handles created minus handles freed on the calling thread (leak checks that other threads cannot disturb). */
int64_t ct_live_tensors_this_thread(void);
ct_status ct_version_compiled(const char **out);          /* TORCH_VERSION of the headers built against */
ct_status ct_version_runtime(char *buffer, int64_t size);  /* TORCH_VERSION reported by the loaded library */
ct_status ct_build_config(char *buffer, int64_t size, int64_t *needed);
ct_status ct_mkldnn_available(bool *out);
ct_status ct_cuda_available(bool *out);
ct_status ct_cuda_device_count(int64_t *out);
ct_status ct_set_num_threads(int64_t n);
ct_status ct_get_num_threads(int64_t *out);
ct_status ct_manual_seed(uint64_t seed);

/* MARK: - Generators */
ct_status ct_generator_new(uint64_t seed, CTGenerator **out);
ct_status ct_generator_set_seed(CTGenerator *g, uint64_t seed);
void ct_generator_free(CTGenerator *g);

/* MARK: - Tensor lifetime and metadata */
void ct_tensor_free(CTTensor *t);
ct_status ct_tensor_shallow_clone(const CTTensor *t, CTTensor **out);
ct_status ct_tensor_defined(const CTTensor *t, bool *out);
ct_status ct_tensor_dim(const CTTensor *t, int64_t *out);
/* Writes min(dim, capacity) sizes; returns the dim through *dim. */
ct_status ct_tensor_sizes(const CTTensor *t, int64_t *sizes, int64_t capacity, int64_t *dim);
ct_status ct_tensor_strides(const CTTensor *t, int64_t *strides, int64_t capacity, int64_t *dim);
ct_status ct_tensor_numel(const CTTensor *t, int64_t *out);
ct_status ct_tensor_dtype(const CTTensor *t, ct_dtype *out);
ct_status ct_tensor_device(const CTTensor *t, ct_device_type *type, int64_t *index);
ct_status ct_tensor_is_contiguous(const CTTensor *t, bool *out);
/* The tensor's version counter: it grows with every in-place change of its data (optimizer steps, copy_). */
ct_status ct_tensor_version(const CTTensor *t, int64_t *out);
/* Pointer to the first element of a CPU tensor (NULL for an undefined tensor). */
ct_status ct_tensor_data_ptr(const CTTensor *t, void **out);
/* Copies the tensor (any layout, any device) into dst as contiguous CPU data of its dtype; nbytes must match. */
ct_status ct_tensor_copy_to_buffer(const CTTensor *t, void *dst, int64_t nbytes);
ct_status ct_tensor_item_double(const CTTensor *t, double *out);
ct_status ct_tensor_item_int64(const CTTensor *t, int64_t *out);
ct_status ct_tensor_to_string(const CTTensor *t, char *buffer, int64_t size, int64_t *needed);

/* MARK: - Creation */
/* Copies nbytes of src into a new contiguous CPU tensor. */
ct_status ct_tensor_from_buffer(const void *src, const int64_t *sizes, int64_t ndim, ct_dtype dtype, CTTensor **out);
/* Wraps caller-owned memory without copying; release(context) is called when libtorch drops the storage. */
ct_status ct_tensor_from_blob(void *data, const int64_t *sizes, int64_t ndim, ct_dtype dtype,
                              void (*release)(void *context), void *context, CTTensor **out);
ct_status ct_tensor_empty(const int64_t *sizes, int64_t ndim, ct_dtype dtype, CTTensor **out);
ct_status ct_tensor_zeros(const int64_t *sizes, int64_t ndim, ct_dtype dtype, CTTensor **out);
ct_status ct_tensor_ones(const int64_t *sizes, int64_t ndim, ct_dtype dtype, CTTensor **out);
ct_status ct_tensor_full(const int64_t *sizes, int64_t ndim, double value, ct_dtype dtype, CTTensor **out);
ct_status ct_tensor_arange(double start, double end, double step, ct_dtype dtype, CTTensor **out);
ct_status ct_tensor_linspace(double start, double end, int64_t steps, ct_dtype dtype, CTTensor **out);
ct_status ct_tensor_eye(int64_t n, ct_dtype dtype, CTTensor **out);
/* Random draws; g may be NULL for libtorch's default generator. */
ct_status ct_tensor_rand(const int64_t *sizes, int64_t ndim, ct_dtype dtype, CTGenerator *g, CTTensor **out);
ct_status ct_tensor_randn(const int64_t *sizes, int64_t ndim, ct_dtype dtype, CTGenerator *g, CTTensor **out);
ct_status ct_tensor_randint(int64_t low, int64_t high, const int64_t *sizes, int64_t ndim, ct_dtype dtype,
                            CTGenerator *g, CTTensor **out);
ct_status ct_tensor_bernoulli(const CTTensor *probabilities, CTGenerator *g, CTTensor **out);
ct_status ct_tensor_randperm(int64_t n, CTGenerator *g, CTTensor **out);

/* MARK: - Conversion and copies */
ct_status ct_tensor_to_dtype(const CTTensor *t, ct_dtype dtype, CTTensor **out);
ct_status ct_tensor_to_device(const CTTensor *t, ct_device_type type, int64_t index, CTTensor **out);
ct_status ct_tensor_contiguous(const CTTensor *t, CTTensor **out);
ct_status ct_tensor_clone(const CTTensor *t, CTTensor **out);
ct_status ct_tensor_detach(const CTTensor *t, CTTensor **out);
/* In place: dst.copy_(src) (broadcasting, dtype conversion). */
ct_status ct_tensor_copy_(CTTensor *dst, const CTTensor *src);
ct_status ct_tensor_fill_(CTTensor *t, double value);
ct_status ct_tensor_zero_(CTTensor *t);

/* MARK: - Views and shape */
ct_status ct_tensor_reshape(const CTTensor *t, const int64_t *sizes, int64_t ndim, CTTensor **out);
ct_status ct_tensor_view(const CTTensor *t, const int64_t *sizes, int64_t ndim, CTTensor **out);
ct_status ct_tensor_permute(const CTTensor *t, const int64_t *dims, int64_t ndim, CTTensor **out);
ct_status ct_tensor_transpose(const CTTensor *t, int64_t dim0, int64_t dim1, CTTensor **out);
ct_status ct_tensor_narrow(const CTTensor *t, int64_t dim, int64_t start, int64_t length, CTTensor **out);
ct_status ct_tensor_slice(const CTTensor *t, int64_t dim, int64_t start, int64_t end, int64_t step, CTTensor **out);
ct_status ct_tensor_select(const CTTensor *t, int64_t dim, int64_t index, CTTensor **out);
ct_status ct_tensor_index_select(const CTTensor *t, int64_t dim, const CTTensor *index, CTTensor **out);
ct_status ct_tensor_gather(const CTTensor *t, int64_t dim, const CTTensor *index, CTTensor **out);
ct_status ct_tensor_masked_select(const CTTensor *t, const CTTensor *mask, CTTensor **out);
ct_status ct_tensor_masked_fill(const CTTensor *t, const CTTensor *mask, double value, CTTensor **out);
ct_status ct_tensor_nonzero(const CTTensor *t, CTTensor **out);
ct_status ct_tensor_cat(const CTTensor *const *tensors, int64_t count, int64_t dim, CTTensor **out);
ct_status ct_tensor_stack(const CTTensor *const *tensors, int64_t count, int64_t dim, CTTensor **out);
/* pad: (last-dim-first pairs, PyTorch F.pad order); mode 0 constant, 1 reflect, 2 replicate. */
ct_status ct_tensor_pad(const CTTensor *t, const int64_t *pad, int64_t npad, int32_t mode, double value, CTTensor **out);
ct_status ct_tensor_flip(const CTTensor *t, const int64_t *dims, int64_t ndim, CTTensor **out);
ct_status ct_tensor_expand(const CTTensor *t, const int64_t *sizes, int64_t ndim, CTTensor **out);
ct_status ct_tensor_squeeze(const CTTensor *t, int64_t dim, CTTensor **out);
ct_status ct_tensor_unsqueeze(const CTTensor *t, int64_t dim, CTTensor **out);
ct_status ct_tensor_flatten(const CTTensor *t, int64_t start_dim, int64_t end_dim, CTTensor **out);
ct_status ct_tensor_repeat(const CTTensor *t, const int64_t *repeats, int64_t ndim, CTTensor **out);

/* MARK: - Elementwise */
typedef enum {
  CT_NEG = 0, CT_EXP, CT_LOG, CT_SQRT, CT_RSQRT, CT_ABS, CT_SIGN, CT_FLOOR, CT_CEIL, CT_ROUND,
  CT_SIGMOID, CT_TANH, CT_RELU, CT_SQUARE, CT_SIN, CT_COS, CT_LOG1P, CT_EXPM1, CT_RECIPROCAL,
  CT_LOGICAL_NOT, CT_ISNAN, CT_ISINF, CT_ISFINITE, CT_ERF,
} ct_unary_op;

typedef enum {
  CT_ADD = 0, CT_SUB, CT_MUL, CT_DIV, CT_POW, CT_MAXIMUM, CT_MINIMUM, CT_REMAINDER, CT_ATAN2,
  CT_EQ, CT_NE, CT_LT, CT_LE, CT_GT, CT_GE, CT_LOGICAL_AND, CT_LOGICAL_OR, CT_LOGICAL_XOR,
} ct_binary_op;

ct_status ct_tensor_unary(const CTTensor *t, ct_unary_op op, CTTensor **out);
ct_status ct_tensor_binary(const CTTensor *a, const CTTensor *b, ct_binary_op op, CTTensor **out);
ct_status ct_tensor_binary_scalar(const CTTensor *a, double b, ct_binary_op op, CTTensor **out);
/* b ∘ a with a scalar on the left (2 − t, 2 / t, 2 ^ t). */
ct_status ct_tensor_scalar_binary(double a, const CTTensor *b, ct_binary_op op, CTTensor **out);
ct_status ct_tensor_where(const CTTensor *condition, const CTTensor *a, const CTTensor *b, CTTensor **out);
/* NaN bounds mean "no bound". */
ct_status ct_tensor_clamp(const CTTensor *t, double min, double max, CTTensor **out);
ct_status ct_tensor_leaky_relu(const CTTensor *t, double slope, CTTensor **out);
ct_status ct_tensor_lerp(const CTTensor *a, const CTTensor *b, double weight, CTTensor **out);

/* In-place updates for optimizers (no autograd history; call under no-grad). */
ct_status ct_tensor_add_(CTTensor *t, const CTTensor *other, double alpha);
ct_status ct_tensor_mul_scalar_(CTTensor *t, double value);
ct_status ct_tensor_add_scalar_(CTTensor *t, double value);
ct_status ct_tensor_addcmul_(CTTensor *t, const CTTensor *a, const CTTensor *b, double value);
ct_status ct_tensor_addcdiv_(CTTensor *t, const CTTensor *a, const CTTensor *b, double value);
ct_status ct_tensor_clamp_(CTTensor *t, double min, double max);

/* MARK: - Reductions */
typedef enum { CT_SUM = 0, CT_MEAN, CT_AMAX, CT_AMIN, CT_PROD, CT_STD, CT_VAR, CT_NORM2, CT_ALL, CT_ANY } ct_reduce_op;

/* Over all elements when ndims == 0. For STD/VAR, correction is 1 (unbiased) or 0. */
ct_status ct_tensor_reduce(const CTTensor *t, ct_reduce_op op, const int64_t *dims, int64_t ndims, bool keepdim,
                           int64_t correction, CTTensor **out);
ct_status ct_tensor_max_dim(const CTTensor *t, int64_t dim, bool keepdim, CTTensor **values, CTTensor **indices);
ct_status ct_tensor_min_dim(const CTTensor *t, int64_t dim, bool keepdim, CTTensor **values, CTTensor **indices);
/* dim < -64 means "over the flattened tensor". */
ct_status ct_tensor_argmax(const CTTensor *t, int64_t dim, bool keepdim, CTTensor **out);
ct_status ct_tensor_argmin(const CTTensor *t, int64_t dim, bool keepdim, CTTensor **out);
ct_status ct_tensor_topk(const CTTensor *t, int64_t k, int64_t dim, bool largest, bool sorted, CTTensor **values,
                         CTTensor **indices);
ct_status ct_tensor_sort(const CTTensor *t, int64_t dim, bool descending, CTTensor **values, CTTensor **indices);
ct_status ct_tensor_cumsum(const CTTensor *t, int64_t dim, CTTensor **out);
ct_status ct_tensor_equal(const CTTensor *a, const CTTensor *b, bool *out);
ct_status ct_tensor_allclose(const CTTensor *a, const CTTensor *b, double rtol, double atol, bool *out);

/* MARK: - Linear algebra */
ct_status ct_tensor_matmul(const CTTensor *a, const CTTensor *b, CTTensor **out);

/* MARK: - Autograd */
ct_status ct_tensor_set_requires_grad(CTTensor *t, bool requires_grad);
ct_status ct_tensor_requires_grad(const CTTensor *t, bool *out);
ct_status ct_tensor_is_leaf(const CTTensor *t, bool *out);
/* *out is NULL when no gradient has been accumulated. */
ct_status ct_tensor_grad(const CTTensor *t, CTTensor **out);
ct_status ct_tensor_set_grad(CTTensor *t, const CTTensor *grad);
ct_status ct_tensor_retain_grad(CTTensor *t);
/* gradient may be NULL for a scalar output. */
ct_status ct_tensor_backward(const CTTensor *t, const CTTensor *gradient, bool retain_graph, bool create_graph);
/* torch::autograd::grad: gradients of outputs w.r.t. inputs (any tensors in the graph, not only leaves).
 * grad_outputs may be NULL (all-ones for scalars); out receives n_inputs handles (NULL where unused). */
ct_status ct_autograd_grad(const CTTensor *const *outputs, int64_t n_outputs, const CTTensor *const *inputs,
                           int64_t n_inputs, const CTTensor *const *grad_outputs, bool retain_graph,
                           bool create_graph, bool allow_unused, CTTensor **out);
ct_status ct_grad_mode_set_enabled(bool enabled, bool *previous);
ct_status ct_grad_mode_is_enabled(bool *out);

/* MARK: - Neural-network functional ops (ATen / oneDNN) */
typedef enum {
  /* libtorch's own choice of kernel (at::convolution). */
  CT_CONV_DEFAULT = 0,
  /* oneDNN (mkldnn) kernels for forward and backward, whatever the batch size; float32 CPU only. */
  CT_CONV_ONEDNN = 1,
} ct_conv_backend;

ct_status ct_conv_nd(const CTTensor *input, const CTTensor *weight, const CTTensor *bias, const int64_t *stride,
                     const int64_t *padding, const int64_t *dilation, int64_t spatial_dims, int64_t groups,
                     ct_conv_backend backend, CTTensor **out);
ct_status ct_conv_transpose_nd(const CTTensor *input, const CTTensor *weight, const CTTensor *bias,
                               const int64_t *stride, const int64_t *padding, const int64_t *output_padding,
                               const int64_t *dilation, int64_t spatial_dims, int64_t groups, CTTensor **out);
/* running_mean/var are updated in place when training. */
ct_status ct_batch_norm(const CTTensor *input, const CTTensor *weight, const CTTensor *bias, CTTensor *running_mean,
                        CTTensor *running_var, bool training, double momentum, double eps, CTTensor **out);
ct_status ct_instance_norm(const CTTensor *input, const CTTensor *weight, const CTTensor *bias, double eps,
                           CTTensor **out);
ct_status ct_max_pool_nd(const CTTensor *input, const int64_t *kernel, const int64_t *stride, const int64_t *padding,
                         const int64_t *dilation, int64_t spatial_dims, bool ceil_mode, CTTensor **out);
/* 3-D max pooling through oneDNN (float32 CPU, dilation 1); no autograd history: inference only. */
ct_status ct_max_pool3d_onednn(const CTTensor *input, const int64_t *kernel, const int64_t *stride, const int64_t *padding,
                               bool ceil_mode, CTTensor **out);
ct_status ct_avg_pool_nd(const CTTensor *input, const int64_t *kernel, const int64_t *stride, const int64_t *padding,
                         int64_t spatial_dims, bool ceil_mode, bool count_include_pad, CTTensor **out);
ct_status ct_adaptive_avg_pool_nd(const CTTensor *input, const int64_t *output_size, int64_t spatial_dims,
                                  CTTensor **out);
ct_status ct_linear(const CTTensor *input, const CTTensor *weight, const CTTensor *bias, CTTensor **out);
/* Inverted dropout with an explicit generator (NULL: libtorch's default). Identity when !training. */
ct_status ct_dropout(const CTTensor *input, double p, bool training, CTGenerator *g, CTTensor **out);
ct_status ct_softmax(const CTTensor *input, int64_t dim, CTTensor **out);
ct_status ct_log_softmax(const CTTensor *input, int64_t dim, CTTensor **out);
/* reduction: 0 none, 1 mean, 2 sum (PyTorch's enum order). weight may be NULL. */
ct_status ct_nll_loss(const CTTensor *log_probs, const CTTensor *target, const CTTensor *weight, int64_t reduction,
                      int64_t ignore_index, CTTensor **out);
ct_status ct_cross_entropy(const CTTensor *logits, const CTTensor *target, const CTTensor *weight,
                           int64_t reduction, int64_t ignore_index, double label_smoothing, CTTensor **out);
/* mode 0 nearest, 1 (bi/tri)linear, 2 bicubic (2-D only); size has spatial_dims entries. */
ct_status ct_interpolate(const CTTensor *input, const int64_t *size, int64_t spatial_dims, int32_t mode,
                         bool align_corners, CTTensor **out);
ct_status ct_affine_grid(const CTTensor *theta, const int64_t *size, int64_t ndim, bool align_corners,
                         CTTensor **out);
/* mode 0 bilinear, 1 nearest, 2 bicubic; padding 0 zeros, 1 border, 2 reflection. */
ct_status ct_grid_sample(const CTTensor *input, const CTTensor *grid, int32_t mode, int32_t padding_mode,
                         bool align_corners, CTTensor **out);
/* ReLU whose backward is guided backprop: grad_in = relu(grad_out) · 1[x > 0]. */
ct_status ct_guided_relu(const CTTensor *input, CTTensor **out);

/* MARK: - Distributed (c10d ProcessGroupGloo over a TCPStore; distributed.cpp) */
typedef struct CTProcessGroup CTProcessGroup;
/* Rank 0 serves the TCPStore on master_port; every rank connects within timeout_ms, and every collective fails
   with an error (not a hang) when a peer has not answered within timeout_ms or has closed its connection. */
ct_status ct_process_group_gloo_create(const char *master_addr, int32_t master_port, int64_t rank, int64_t world_size,
                                       int64_t timeout_ms, CTProcessGroup **out);
void ct_process_group_free(CTProcessGroup *group);
/* In place: every tensor becomes the sum of that tensor over the ranks. */
ct_status ct_process_group_allreduce_sum(CTProcessGroup *group, CTTensor *const *tensors, int64_t count);
/* In place: every tensor becomes rank root's. */
ct_status ct_process_group_broadcast(CTProcessGroup *group, CTTensor *const *tensors, int64_t count, int64_t root);
ct_status ct_process_group_barrier(CTProcessGroup *group);
/* Training-mode batch norm with the statistics of the whole global batch (all ranks), differentiable: the
   backward all-reduces too; running_mean/running_var are updated in place (unbiased variance, as PyTorch). */
ct_status ct_sync_batch_norm(CTProcessGroup *group, const CTTensor *input, const CTTensor *weight, const CTTensor *bias,
                             CTTensor *running_mean, CTTensor *running_var, double momentum, double eps, CTTensor **out);
/* Comma-separated c10d backends this shim was built with. */
ct_status ct_distributed_backends(char *buffer, int64_t size);

/* MARK: - Fused inference graphs (oneDNN; fused.cpp)
 * A network described operation by operation for one fixed input shape (value 0 is the input); activations stay in
 * oneDNN's blocked layouts, ReLU / leaky ReLU and residual sums are convolution post-ops, weights are packed once,
 * activation buffers are reused. Float32 CPU input; bfloat16 where the CPU has native bf16 instructions. */
typedef struct CTFusedNet CTFusedNet;
typedef enum { CT_FUSED_F32 = 0, CT_FUSED_BF16 = 1 } ct_fused_precision;
typedef enum { CT_FUSED_IDENTITY = 0, CT_FUSED_RELU = 1, CT_FUSED_LEAKY_RELU = 2 } ct_fused_activation;
ct_status ct_fused_available(ct_fused_precision precision, bool *out);
/* "oneDNN 2.6.3, AVX2": the library the graphs run on and the instruction set it uses on this CPU. */
ct_status ct_fused_describe(char *buffer, int64_t size);
ct_status ct_fused_create(const int64_t *input_shape, int64_t rank, ct_fused_precision precision, CTFusedNet **out);
void ct_fused_free(CTFusedNet *net);
ct_status ct_fused_shape(const CTFusedNet *net, int64_t value, int64_t *shape, int64_t *rank);
/* residual: a value added before the activation (-1: none); alpha: leaky ReLU's negative slope. */
ct_status ct_fused_conv(CTFusedNet *net, int64_t src, const CTTensor *weight, const CTTensor *bias,
                        const int64_t *stride, const int64_t *padding, const int64_t *dilation, int64_t residual,
                        ct_fused_activation activation, float alpha, int64_t *out);
/* PyTorch's ConvTranspose weight (in, out, k...), output padding 0, groups 1. */
ct_status ct_fused_deconv(CTFusedNet *net, int64_t src, const CTTensor *weight, const CTTensor *bias,
                          const int64_t *stride, const int64_t *padding, int64_t *out);
/* Max pooling (padding ignored) or average pooling (count_include_pad). */
ct_status ct_fused_pool(CTFusedNet *net, int64_t src, bool max, const int64_t *kernel, const int64_t *stride,
                        const int64_t *padding, int64_t *out);
/* Instance normalisation (per sample and channel, biased variance), then the activation. */
ct_status ct_fused_instance_norm(CTFusedNet *net, int64_t src, const CTTensor *weight, const CTTensor *bias,
                                 double eps, ct_fused_activation activation, float alpha, int64_t *out);
ct_status ct_fused_concat(CTFusedNet *net, const int64_t *sources, int64_t count, int64_t *out);
/* The values ct_fused_run returns, in marking order; no operation can be added after the first run. */
ct_status ct_fused_mark_output(CTFusedNet *net, int64_t value);
/* results: one float32 CPU tensor (plain layout) per marked output. */
ct_status ct_fused_run(CTFusedNet *net, const CTTensor *input, CTTensor **results);

/* MARK: - Devices (device.cpp) */
typedef struct {
  char name[256];          /* e.g. "NVIDIA H100 80GB HBM3"; empty when the driver does not say */
  int64_t total_memory;    /* bytes; -1 when unknown */
  int32_t capability_major; /* compute capability; -1 when unknown */
  int32_t capability_minor;
} ct_cuda_device_info;
/* Fails for a CPU-only libtorch or an index out of range. Name, memory and capability come from the CUDA driver
   (libcuda.so.1) when it can be loaded. */
ct_status ct_cuda_device_properties(int64_t index, ct_cuda_device_info *out);
/* CUDA runtime libtorch was built with, cuDNN and driver versions as integers (e.g. 12080, 90100, 12090);
   0 where there is none (always for a CPU-only libtorch). Any pointer may be NULL. */
ct_status ct_cuda_versions(int64_t *cuda_runtime, int64_t *cudnn, int64_t *driver);
/* Waits for every kernel queued on the device (for timings). */
ct_status ct_cuda_synchronize(int64_t index);
/* In place: t.set_data(source), keeping t's handle, autograd identity and requires_grad (moves a parameter
   to another device as Module.to does in PyTorch). */
ct_status ct_tensor_set_data(CTTensor *t, const CTTensor *source);
/* A tensor filled with value on a device; fails with a clear message when the device does not exist. */
ct_status ct_tensor_full_on_device(const int64_t *sizes, int64_t ndim, double value, ct_dtype dtype,
                                   ct_device_type type, int64_t index, CTTensor **out);
/* Autocast (mixed precision) for ops on `type` in this thread, in dtype CT_FLOAT16 or CT_BFLOAT16, as
   torch.autocast: enter returns the previous state, which exit restores. */
ct_status ct_autocast_enter(ct_device_type type, ct_dtype dtype, bool *previous_enabled, ct_dtype *previous_dtype);
ct_status ct_autocast_exit(ct_device_type type, bool previous_enabled, ct_dtype previous_dtype);
ct_status ct_autocast_is_enabled(ct_device_type type, bool *out);

#ifdef __cplusplus
}
#endif

#endif /* CTORCH_H */
