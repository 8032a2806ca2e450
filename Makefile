# NeoICH — the README's two commands, plus the build, benchmark and fixture helpers.
SWIFT ?= swift
JOBS  ?= 2

.PHONY: deps build release test demo bench fixtures browser-test clean

deps:
	@scripts/install-deps

build: deps
	$(SWIFT) build -j $(JOBS)

release: deps
	$(SWIFT) build -c release -j $(JOBS)

## make test: install what is missing, build in debug, run the whole suite.
test: deps
	$(SWIFT) build --build-tests -j $(JOBS)
	$(SWIFT) test --skip-build --no-parallel

## make demo: install what is missing, build in release, run the reader on the bundled demo models.
demo: release
	@scripts/demo

## make bench: the benchmarks (release build; prints figures, asserts nothing). BENCH="conv resnet" selects.
TORCH_INCLUDE ?= /usr/include
TORCH_LIB ?= /usr/lib/x86_64-linux-gnu
bench: release .build/bench-cpp/resnet34_forward
	$(SWIFT) run -c release neoich-bench $(BENCH)
	$(SWIFT) run -c release neoich-imaging-bench
	@if [ -f Models/segmentation/model.safetensors ] && [ -f Models/classifier/model.safetensors ]; then \
	  Benchmarks/segment-predict.sh Models; else echo "segment/predict benchmark skipped: no demo models in Models/"; fi

.build/bench-cpp/resnet34_forward: Benchmarks/cpp/resnet34_forward.cpp
	@mkdir -p $(dir $@)
	g++ -std=c++17 -O2 -I$(TORCH_INCLUDE) -I$(TORCH_INCLUDE)/torch/csrc/api/include $< -o $@ \
	    -L$(TORCH_LIB) -Wl,-rpath,$(TORCH_LIB) -ltorch_cpu -lc10

## make browser-test: the reader in headless Chromium (needs chromium, chromium-driver and Python's selenium;
## exits 77 when they are missing). Not part of `make test`: a headless browser can fail for reasons of its own.
browser-test: build
	scripts/browser-test

## make fixtures: regenerate the reference fixtures with Debian's python3-torch / SciPy (needs them installed).
fixtures:
	@scripts/make-fixtures

clean:
	rm -rf .build
