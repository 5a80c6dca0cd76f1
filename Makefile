# The two commands of the README:
#   make demo   set up, build, run the main job on the sample directories, then serve the
#               admin page against the local API server (Ctrl-C stops it)
#   make test   set up, build, and run every test
# Both install what is missing (wasm32 target, wasm-bindgen-cli at the pinned version, npm
# packages) and skip what is there.

SHELL := bash
FIXTURES := tests/fixtures
CLI := node pkg/cli/usersync.mjs

.PHONY: setup build lint demo test test-native test-wasm test-js test-types test-e2e fuzz bench www serve clean

setup:
	@.ci/setup

build: setup
	@.ci/build

demo: build
	@$(CLI) intake --source $(FIXTURES)/cxone-users.ndjson --external $(FIXTURES)/ringcentral-directory.json
	@echo; $(CLI) sync --quiet --source $(FIXTURES)/cxone-users.ndjson --external $(FIXTURES)/ringcentral-directory.json \
	  --refetch $(FIXTURES)/ringcentral-refetch.json --actor u-ann --permission UserMapping.Map
	@echo; $(CLI) wfm --source $(FIXTURES)/cxone-users.ndjson
	@echo; $(MAKE) --no-print-directory serve

test: build lint test-native test-wasm test-js test-types test-e2e fuzz

# No unwrap/expect/panic/unchecked indexing in library code (src/lib.rs denies them), on
# both targets.
lint: setup
	cargo clippy --quiet --lib -- -D warnings
	cargo clippy --quiet --lib --target wasm32-unknown-unknown -- -D warnings

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
	@! grep -nE '(:|<|\||,|\()\s*any\b' pkg/node/usersync.d.ts pkg/web/usersync.d.ts | grep -vE '^[^:]+:[0-9]+:\s*(\*|/\*|//)' \
	  || { echo "published .d.ts contains 'any'"; exit 1; }

# The bulk benchmark (not a test): 100,000 and 1,000,000 users a side; writes BENCHMARKS.md.
bench: build
	cargo build --quiet --release --example bench_native
	node tests/bench/bench.mjs --sizes 100000,1000000 --reps 5

# Every cargo-fuzz target for FUZZ_SECONDS each (default 8: about a minute, plus the build);
# FUZZ_SECONDS=600 make fuzz is the longer run. Needs the nightly toolchain.
fuzz:
	.ci/fuzz

# The admin page (www/): built on pkg/ as an npm user would (`"usersync": "file:../pkg"`).
# The second set-up pass installs www/'s npm packages now that pkg/ exists.
www: build
	@.ci/setup
	cd www && npm run --silent build

# The README's main job for the page: build everything, start the local API server and
# serve the page on 127.0.0.1 (prints the URL; Ctrl-C stops both). USERS=50000 for scale.
USERS ?= 1000
PORT ?= 4173
serve: www
	node www/serve.mjs --users $(USERS) --port $(PORT)

# Headless Chromium against the built page; screenshots in tests/output/screenshots/.
test-e2e: www
	node --test tests/e2e/admin.e2e.mjs tests/e2e/undo.e2e.mjs tests/e2e/schedule.e2e.mjs

clean:
	rm -rf pkg target www/dist
