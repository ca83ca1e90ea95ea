# Wraps CMake. `make` builds build/ingressguard; `make demo` and `make test`
# first install what is missing (scripts/bootstrap.sh).
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= 2
FUZZ_SECONDS ?= 60
BENCH_DIR  ?= $(BUILD)/bench-corpus
PREFIX     ?= /usr/local

.PHONY: all install dist image bootstrap configure demo test test-asan fuzz fuzz-smoke bench bench-list bench-diff bench-serve bench-logs bench-probe docs format clean

all: configure
	cmake --build $(BUILD) -j$(JOBS) --target ingressguard

# Installs $(PREFIX)/bin/ingressguard and the kubectl plugin link
# $(PREFIX)/bin/kubectl-ingressguard (so `kubectl ingressguard scan ...` works).
install: all
	cmake --install $(BUILD) --prefix $(PREFIX) --strip

# A versioned release tarball: the stripped binary (and its kubectl plugin name), the deploy
# manifests, the docs and the examples. Debian bookworm's shared libraries are needed at run time.
dist: all
	rm -rf $(BUILD)/dist && mkdir -p $(BUILD)/dist
	v=$$($(BUILD)/ingressguard version | cut -d' ' -f2) && name=ingressguard-$$v-linux-$$(uname -m) && \
	  cmake --install $(BUILD) --prefix $(BUILD)/dist/$$name --strip && \
	  cp -r README.md deploy docs examples $(BUILD)/dist/$$name/ && \
	  tar -C $(BUILD)/dist -czf $(BUILD)/dist/$$name.tar.gz $$name && \
	  echo "$(BUILD)/dist/$$name.tar.gz ($$(du -h $(BUILD)/dist/$$name.tar.gz | cut -f1))"

# The container image, built offline from this machine's Debian packages (umoci): an OCI layout in
# $(BUILD)/image/oci, tagged with the version. `skopeo copy oci:$(BUILD)/image/oci:VERSION docker://REGISTRY/...`
# pushes it; the Dockerfile builds the same image where a Docker engine and a registry are at hand.
image: bootstrap all
	scripts/build_image.sh $(BUILD) $(BUILD)/image

bootstrap:
	@scripts/bootstrap.sh

configure:
	@test -f $(BUILD)/CMakeCache.txt || cmake -S . -B $(BUILD) -G Ninja

demo: bootstrap all
	@$(BUILD)/ingressguard scan examples/demo; rc=$$?; \
	  if [ $$rc -gt 1 ]; then exit $$rc; fi; \
	  $(BUILD)/ingressguard scan examples/demo --format html --output $(BUILD)/demo-report.html --fail-on never || exit $$?; \
	  echo "demo: scan ran (exit $$rc: 1 means findings at or above medium)"; \
	  echo "demo: HTML report with the exposure map: $(BUILD)/demo-report.html"

test: bootstrap configure
	cmake --build $(BUILD) -j$(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

test-asan: bootstrap
	@test -f $(ASAN_BUILD)/CMakeCache.txt || cmake -S . -B $(ASAN_BUILD) -G Ninja -DIG_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j$(JOBS) -LE image

fuzz: bootstrap
	@test -f $(FUZZ_BUILD)/CMakeCache.txt || CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DIG_FUZZ=ON -DIG_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(FUZZ_BUILD) -j$(JOBS) --target fuzz_loader fuzz_admission fuzz_logs fuzz_probe_http fuzz_certificate fuzz_json_stream
	mkdir -p $(FUZZ_BUILD)/corpus-json-stream $(FUZZ_BUILD)/corpus-loader $(FUZZ_BUILD)/corpus-admission $(FUZZ_BUILD)/corpus-logs $(FUZZ_BUILD)/corpus-probe-http \
	  $(FUZZ_BUILD)/corpus-certificate
	$(FUZZ_BUILD)/fuzz_loader -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
	  $(FUZZ_BUILD)/corpus-loader fuzz/corpus/loader
	$(FUZZ_BUILD)/fuzz_admission -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
	  $(FUZZ_BUILD)/corpus-admission fuzz/corpus/admission
	$(FUZZ_BUILD)/fuzz_logs -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
	  $(FUZZ_BUILD)/corpus-logs fuzz/corpus/logs
	$(FUZZ_BUILD)/fuzz_probe_http -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
	  $(FUZZ_BUILD)/corpus-probe-http fuzz/corpus/probe_http
	$(FUZZ_BUILD)/fuzz_certificate -max_total_time=$(FUZZ_SECONDS) -max_len=16384 -rss_limit_mb=2048 -timeout=10 \
	  $(FUZZ_BUILD)/corpus-certificate fuzz/corpus/certificate
	$(FUZZ_BUILD)/fuzz_json_stream -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
	  $(FUZZ_BUILD)/corpus-json-stream fuzz/corpus/json_stream

bench: bootstrap configure
	cmake --build $(BUILD) -j$(JOBS) --target ingressguard ig_parse_only ig_gen_corpus
	bench/run_scan_bench.sh $(BUILD) $(BENCH_DIR)

# The corpus as one kubectl-style List (JSON, compacted JSON, YAML): streaming read, speed and memory.
bench-list: bootstrap configure
	cmake --build $(BUILD) -j$(JOBS) --target ingressguard ig_json_parse_only ig_gen_corpus
	bench/run_list_bench.sh $(BUILD) $(BENCH_DIR)

# `diff` of two git revisions of the corpus that differ in 1% of the objects, against one scan.
bench-diff: bootstrap configure
	cmake --build $(BUILD) -j$(JOBS) --target ingressguard ig_gen_corpus
	bench/run_diff_bench.sh $(BUILD) $(BENCH_DIR)

# `logs` on a generated multi-million-line ingress-nginx log, against GoAccess on the same file.
bench-logs: bootstrap configure
	cmake --build $(BUILD) -j$(JOBS) --target ingressguard ig_gen_access_log
	bench/run_logs_bench.sh $(BUILD) $(BUILD)/bench-logs

# `probe` and testssl.sh against the same weak and hardened nginx servers, then 200 virtual hosts from manifests.
bench-probe: bootstrap configure
	cmake --build $(BUILD) -j$(JOBS) --target ingressguard
	bench/run_probe_bench.sh $(BUILD) $(BUILD)/bench-probe

# The webhook under wrk (TLS keep-alive, 10,000 Ingresses as state); REQUESTS=1000000 by default.
bench-serve: bootstrap all
	bench/run_serve_bench.sh $(BUILD) $(BUILD)/bench-serve
	bench/run_serve_conn_bench.sh $(BUILD)/ingressguard $(BUILD)/bench-serve-conn

docs: all
	$(BUILD)/ingressguard rules --format markdown > docs/rules.md

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
