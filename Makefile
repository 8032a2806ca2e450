# NeoICH — the README's two commands, plus the build, benchmark and fixture helpers.
SWIFT ?= swift
JOBS  ?= 2

.PHONY: deps build release test demo bench fixtures clean

deps:
	@scripts/install-deps

build: deps
	$(SWIFT) build -j $(JOBS)

release: deps
	$(SWIFT) build -c release -j $(JOBS)

## make test: install what is missing, build in debug, run the whole suite.
test: deps
	$(SWIFT) build --build-tests -j $(JOBS)
	$(SWIFT) test --skip-build

## make demo: install what is missing, build in release, run the reader on the bundled demo models.
demo: release
	@scripts/demo

## make bench: the benchmarks (release build; prints figures, asserts nothing).
bench: release
	$(SWIFT) run -c release neoich-bench

## make fixtures: regenerate the reference fixtures with Debian's python3-torch / SciPy (needs them installed).
fixtures:
	@scripts/make-fixtures

clean:
	rm -rf .build
