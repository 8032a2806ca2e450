// The ResNet-34-3D forward of NeoICH's benchmark as a plain C++ libtorch program: the same op sequence
// (oneDNN convolutions, batch norm, ReLU, oneDNN max pool, residual adds, average pool, linear) called directly, to
// measure what NeoICH's Swift layer adds. Built by `make bench`; run by neoich-bench in the same session.
//   resnet34_forward BATCH WIDTH STEM_STRIDE_YX REPEATS  → prints "seconds <best> <median>"
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

struct Conv {
  at::Tensor w;
  std::vector<int64_t> stride, padding;
  at::Tensor operator()(const at::Tensor &x) const {
    return at::mkldnn_convolution(x, w, c10::nullopt, padding, stride, {1, 1, 1}, 1);
  }
};

struct BN {
  at::Tensor weight, bias, mean, var;
  explicit BN(int64_t c)
      : weight(at::ones({c})), bias(at::zeros({c})), mean(at::zeros({c})), var(at::ones({c})) {}
  at::Tensor operator()(const at::Tensor &x) const { return at::batch_norm(x, weight, bias, mean, var, false, 0.1, 1e-5, false); }
};

Conv conv(int64_t in, int64_t out, int64_t k, std::vector<int64_t> stride) {
  return Conv{at::randn({out, in, k, k, k}) * 0.05, stride, {k / 2, k / 2, k / 2}};
}

struct Block {
  Conv c1, c2;
  BN b1, b2;
  bool down;
  Conv dc;
  BN db;
  at::Tensor dbias;
  at::Tensor operator()(const at::Tensor &x) const {
    auto h = b1(c1(x)).relu();
    h = b2(c2(h));
    auto r = down ? db(at::mkldnn_convolution(x, dc.w, dbias, {0, 0, 0}, dc.stride, {1, 1, 1}, 1)) : x;
    return (h + r).relu();
  }
};

int main(int argc, char **argv) {
  int64_t batch = argc > 1 ? std::atoll(argv[1]) : 1;
  int64_t width = argc > 2 ? std::atoll(argv[2]) : 64;
  int64_t stem = argc > 3 ? std::atoll(argv[3]) : 2;
  int repeats = argc > 4 ? std::atoi(argv[4]) : 3;
  const char *threads = std::getenv("NEOICH_THREADS");
  at::set_num_threads(threads ? std::atoi(threads) : static_cast<int>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN))));
  at::manual_seed(0);
  at::NoGradGuard no_grad;
  auto conv1 = conv(1, width, 7, {1, stem, stem});
  BN bn1(width);
  std::vector<std::vector<Block>> stages;
  int64_t in = width;
  int layers[4] = {3, 4, 6, 3};
  for (int s = 0; s < 4; ++s) {
    int64_t planes = width << s;
    std::vector<Block> blocks;
    for (int j = 0; j < layers[s]; ++j) {
      int64_t st = (j == 0 && s > 0) ? 2 : 1;
      bool down = st != 1 || in != planes;
      blocks.push_back(Block{conv(in, planes, 3, {st, st, st}), conv(planes, planes, 3, {1, 1, 1}), BN(planes), BN(planes),
                             down, Conv{at::randn({planes, in, 1, 1, 1}) * 0.05, {st, st, st}, {0, 0, 0}}, BN(planes),
                             at::zeros({planes})});
      in = planes;
    }
    stages.push_back(blocks);
  }
  auto fc_w = at::randn({2, in}) * 0.05;
  auto fc_b = at::zeros({2});
  auto x = at::randn({batch, 1, 20, 200, 200});
  auto forward = [&] {
    auto h = bn1(conv1(x)).relu();
    h = at::mkldnn_max_pool3d(h.to_mkldnn(), {3, 3, 3}, {2, 2, 2}, {1, 1, 1}, {1, 1, 1}, false).to_dense();
    for (auto &stage : stages)
      for (auto &block : stage) h = block(h);
    return at::linear(at::adaptive_avg_pool3d(h, {1, 1, 1}).flatten(1), fc_w, fc_b);
  };
  forward();  // warm-up (oneDNN primitive creation)
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto y = forward();
    (void)y.sum().item<float>();
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(times.begin(), times.end());
  std::printf("seconds %.6f %.6f\n", times.front(), times[times.size() / 2]);
  return 0;
}
