# The two commands of the README:
#   make demo   set up, build, run the main job on the sample directories, then serve the
#               admin page against the local API server (Ctrl-C stops it)
#   make test   set up, build, and run every test
# Both install what is missing (wasm32 target, wasm-bindgen-cli at the pinned version, npm
# packages) and skip what is there. A build with nothing changed takes seconds: .ci/build
# skips wasm-bindgen and wasm-opt when cargo's output is unchanged, and the page is rebuilt
# only when one of its files or the package changed.

SHELL := bash
FIXTURES := tests/fixtures
CLI := node pkg/cli/usersync.mjs
USERS ?= 1000
PORT ?= 4173
SERVE := node www/serve.mjs --users $(USERS) --port $(PORT)

# The JS/TS files whose formatting `make lint` checks (prettier, pinned in tests/package.json,
# configured by .prettierrc.json). `make format` writes them.
PRETTIER_FILES := .ci/*.mjs tests/packaging tests/ts tests/js tests/e2e tests/server tests/bench \
  www/src pkg-template/cli
PRETTIER := tests/node_modules/.bin/prettier
# What a line citing a document outside the repository looks like (.ci/dts.mjs checks the
# published types for the same).
OUTSIDE_CITATION := \bSPEC\b|\b[Ii]ssues? \#?[0-9]+|\.\./shared\b

.PHONY: setup build lint format demo test test-native test-wasm test-js test-types test-e2e \
  test-packaging budget size fuzz bench www serve clean

setup:
	@.ci/setup

build: setup
	@.ci/build

# One build (make runs `build` once per invocation): the CLI jobs, then the page.
demo: www
	@$(CLI) intake --source $(FIXTURES)/cxone-users.ndjson --external $(FIXTURES)/ringcentral-directory.json
	@echo; $(CLI) sync --quiet --source $(FIXTURES)/cxone-users.ndjson --external $(FIXTURES)/ringcentral-directory.json \
	  --refetch $(FIXTURES)/ringcentral-refetch.json --actor u-ann --permission UserMapping.Map
	@echo; $(CLI) wfm --source $(FIXTURES)/cxone-users.ndjson --link acd-east=east,acd-west=west \
	  --actor rep@example.com --permission WFM.UserSync.Configure --reason "demo set-up"
	@echo; $(SERVE)

test: build lint test-native test-wasm test-js test-types test-packaging budget test-e2e fuzz

# Formatting (rustfmt for the crate and fuzz/, prettier for the files above), no line that
# cites a document the repository does not hold (a product spec, an issue number), no
# import cycle between the files of core/mapping and core/wfm (tests/module_layers.rs), then
# clippy with no unwrap/expect/panic/unchecked indexing in library code (src/lib.rs denies
# them) on both targets, and for the identity-only wasm.
lint: setup
	cargo fmt --check
	cargo fmt --check --manifest-path fuzz/Cargo.toml
	$(PRETTIER) --check $(PRETTIER_FILES)
	@! git ls-files -z | xargs -0 grep -nIE '$(OUTSIDE_CITATION)' \
	  || { echo "the lines above cite a document outside the repository: say the rule, or point to docs/"; exit 1; }
	cargo test --quiet --test module_layers
	cargo clippy --quiet --lib -- -D warnings
	cargo clippy --quiet --lib --target wasm32-unknown-unknown -- -D warnings
	cargo clippy --quiet --lib --target wasm32-unknown-unknown --no-default-features -- -D warnings

format: setup
	cargo fmt
	cargo fmt --manifest-path fuzz/Cargo.toml
	$(PRETTIER) --write $(PRETTIER_FILES)

test-native:
	cargo test --quiet

# The binding layer under Node, through wasm-bindgen-test-runner (no -q: it rejects --quiet).
test-wasm: setup
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
	  cargo test --target wasm32-unknown-unknown --test wasm_binding

test-js: build
	node --test tests/js/

test-types: build
	tests/node_modules/.bin/tsc -p tests/ts/tsconfig.json
	@! grep -nE '(:|<|\||,|\()\s*any\b' $$(find pkg -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts') \
	  | grep -vE '^[^:]+:[0-9]+:\s*(\*|/\*|//)' || { echo "published .d.ts contains 'any'"; exit 1; }

# The packed tarball installed into fresh projects (Node ESM and CJS, TypeScript node16 and
# bundler, a Vite build in headless Chromium). The second set-up pass installs www/'s npm
# packages (Vite, playwright-core) now that pkg/ exists.
test-packaging: build
	@.ci/setup
	node --test tests/packaging/

# Size budgets on the built package (wasm gzip, tarball, one copy of each wasm).
budget: build
	@node .ci/budget.mjs

# Where the bytes go: per section, crate and function, from a build that keeps the names.
size: build
	@.ci/size

# The bulk benchmark (not a test): 100,000 and 1,000,000 users a side; writes BENCHMARKS.md.
bench: build
	cargo build --quiet --release --example bench_native
	node tests/bench/bench.mjs --sizes 100000,1000000 --reps 5

# Every cargo-fuzz target for FUZZ_SECONDS each (default 8: about a minute, plus the build);
# FUZZ_SECONDS=600 make fuzz is the longer run. Needs the nightly toolchain.
fuzz:
	.ci/fuzz

# The admin page (www/): built on pkg/ as an npm user would (`"usersync": "file:../pkg"`).
# The set-up pass installs www/'s npm packages once pkg/ exists; the page is rebuilt (by a
# second make, which sees pkg/ as this build left it) only when its sources or the package
# changed: .ci/build leaves unchanged package files untouched.
www: build
	@.ci/setup
	@$(MAKE) -s --no-print-directory www/dist/index.html

WWW_INPUTS = $(shell find www/src -type f) www/index.html www/vite.config.ts www/tsconfig.json \
  www/package.json $(shell find pkg -type f -not -path 'pkg/cli/*' 2>/dev/null)
www/dist/index.html: $(WWW_INPUTS)
	cd www && npm run --silent build
	@touch $@

# The README's main job for the page: build everything, start the local API server and
# serve the page on 127.0.0.1 (prints the URL; Ctrl-C stops both). USERS=50000 for scale.
serve: www
	$(SERVE)

# Headless Chromium against the built page; screenshots in tests/output/screenshots/.
test-e2e: www
	node --test tests/e2e/admin.e2e.mjs tests/e2e/undo.e2e.mjs tests/e2e/schedule.e2e.mjs tests/e2e/wfm.e2e.mjs

clean:
	rm -rf pkg target www/dist
