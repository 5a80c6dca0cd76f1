// ---- usersync argument guard (inlined by .ci/guard.mjs into both builds) ----
//
// Every argument is checked against the kinds its `.d.ts` type allows, then objects and
// arrays are copied into plain data, all BEFORE the glue runs: a getter that throws, a
// revoked Proxy, a cycle or a 5,000-deep value fails here, in JS, as a coded error, instead
// of inside Rust while it holds the instance (which would leave the instance borrowed for
// good). Rust then reads only ordinary objects, arrays and primitives, which cannot throw.

/** Values nested deeper than this are refused: no input of ours comes close. */
const GUARD_MAX_DEPTH = 64;
/** Objects, arrays and their entries, summed over one argument. */
const GUARD_MAX_NODES = 64 * 1024 * 1024;
const GUARD_QUOTE = 200;

function guardError(code, message) {
  const error = new Error(message);
  error.name = "UsersyncError";
  error.code = code;
  return error;
}

/** A caller's text, cut so an error message stays small whatever was passed. */
function guardQuote(text) {
  const s = String(text);
  return s.length > GUARD_QUOTE ? `${s.slice(0, GUARD_QUOTE)}… (${s.length} characters)` : s;
}

/** What a value is, in words, without running any of its code. */
function guardDescribe(value) {
  if (value === null) return "null";
  const type = typeof value;
  if (type === "bigint") return "a BigInt";
  if (type === "symbol") return "a Symbol";
  if (type === "string") return "a string";
  if (type === "number" && !Number.isFinite(value)) return String(value);
  if (type === "number" || type === "boolean" || type === "undefined") return `${type === "undefined" ? "undefined" : "a " + type}`;
  if (type === "function") return "a function";
  try {
    return Array.isArray(value) ? "an array" : "an object";
  } catch {
    return "a revoked Proxy";
  }
}

/** The thrown value's own words, read without trusting it. */
function guardReason(thrown) {
  try {
    if (thrown instanceof Error) return guardQuote(`${thrown.name}: ${thrown.message}`);
    return guardQuote(typeof thrown === "symbol" ? thrown.toString() : String(thrown));
  } catch {
    return "an unreadable exception";
  }
}

const guardAbortedGetter = (() => {
  try {
    return typeof AbortSignal === "function"
      ? Object.getOwnPropertyDescriptor(AbortSignal.prototype, "aborted")?.get
      : undefined;
  } catch {
    return undefined;
  }
})();

/** A real AbortSignal (a brand check: a Proxy or a look-alike fails it). */
function guardIsAbortSignal(value) {
  if (!guardAbortedGetter) return false;
  try {
    guardAbortedGetter.call(value);
    return true;
  } catch {
    return false;
  }
}

/** Thrown while walking a value: carries the path inside the argument. */
class GuardFailure {
  constructor(code, what) {
    this.code = code;
    this.what = what;
    this.path = "";
  }
}

/** The first own key whose read throws (undefined when the keys themselves cannot be listed). */
function guardThrowingKey(value) {
  let keys;
  try {
    keys = Object.keys(value);
  } catch {
    return undefined;
  }
  for (const k of keys) {
    try {
      void value[k];
    } catch {
      return k;
    }
  }
  return undefined;
}

function guardKey(key) {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(guardQuote(key))}]`;
}

/**
 * A plain copy of `value`: ordinary objects (own enumerable string keys) and arrays, with
 * primitives, Uint8Arrays (any ArrayBuffer view), functions and AbortSignals kept as they
 * are. `state.nodes` counts what was copied, against GUARD_MAX_NODES.
 */
function guardPlain(value, depth, state, ancestors) {
  const type = typeof value;
  if (type !== "object") {
    if (type === "bigint" || type === "symbol") throw new GuardFailure("invalid_input", `is ${guardDescribe(value)}`);
    return value;
  }
  if (value === null || ArrayBuffer.isView(value)) return value;
  if (depth >= GUARD_MAX_DEPTH) {
    throw new GuardFailure("value_too_complex", `is nested more than ${GUARD_MAX_DEPTH} levels deep`);
  }
  if (ancestors.includes(value)) throw new GuardFailure("invalid_input", "contains itself (a cycle)");
  let key;
  try {
    ancestors.push(value);
    let out;
    if (Array.isArray(value)) {
      const length = value.length;
      if (!Number.isSafeInteger(length) || length < 0) throw new GuardFailure("invalid_input", "has no valid length");
      state.nodes += length + 1;
      if (state.nodes > GUARD_MAX_NODES) throw new GuardFailure("value_too_complex", `has more than ${GUARD_MAX_NODES} entries`);
      out = new Array(length);
      for (let i = 0; i < length; i++) {
        key = i;
        const item = value[i];
        out[i] = typeof item === "object" || typeof item === "bigint" || typeof item === "symbol"
          ? guardPlain(item, depth + 1, state, ancestors)
          : item;
      }
    } else {
      const proto = Object.getPrototypeOf(value);
      const ordinary = proto === Object.prototype || proto === null;
      // The brand check costs an exception for non-signals, so only odd prototypes pay it.
      if (!ordinary && guardIsAbortSignal(value)) {
        ancestors.pop();
        return value;
      }
      // Object.assign is the fast path (getters run here, inside the try); an own
      // `__proto__` key would reach the prototype setter instead, so such objects, like
      // class instances, take the key-by-key path.
      out = ordinary ? Object.assign({}, value) : undefined;
      if (out === undefined || Object.getPrototypeOf(out) !== Object.prototype) out = guardOwnCopy(value);
      // for-in is the fastest walk; a key inherited from a polluted Object.prototype only
      // adds to the count, and is skipped below.
      let count = 1;
      for (const k in out) {
        count++;
        const item = out[k];
        if ((typeof item === "object" || typeof item === "bigint" || typeof item === "symbol") && guardHasOwn(out, k)) {
          key = k;
          const copy = guardPlain(item, depth + 1, state, ancestors);
          if (copy !== item) guardDefine(out, k, copy);
        }
      }
      state.nodes += count;
      if (state.nodes > GUARD_MAX_NODES) throw new GuardFailure("value_too_complex", `has more than ${GUARD_MAX_NODES} entries`);
    }
    ancestors.pop();
    return out;
  } catch (e) {
    ancestors.length = depth;
    const failure = e instanceof GuardFailure ? e : new GuardFailure("invalid_input", `could not be read (${guardReason(e)})`);
    // The fast copy does not say which getter threw: find it, so the error names the field.
    if (key === undefined && !(e instanceof GuardFailure)) key = guardThrowingKey(value);
    if (key !== undefined) failure.path = (typeof key === "number" ? `[${key}]` : guardKey(key)) + failure.path;
    throw failure;
  }
}

const guardTypedArrayTag = Object.getOwnPropertyDescriptor(
  Object.getPrototypeOf(Uint8Array.prototype),
  Symbol.toStringTag,
).get;

const guardHasOwn = (o, k) => Object.prototype.hasOwnProperty.call(o, k);

function guardDefine(out, key, value) {
  if (key === "__proto__") Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

/** Own enumerable string keys, one by one (for objects the fast path does not fit). */
function guardOwnCopy(value) {
  const out = {};
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) guardDefine(out, keys[i], value[keys[i]]);
  return out;
}

function guardKindOf(value) {
  const type = typeof value;
  if (type === "object") {
    if (value === null) return "null";
    // A brand check: a Proxy of a Uint8Array is not one (the glue would read it through traps).
    if (guardTypedArrayTag.call(value) === "Uint8Array") return "Uint8Array";
    try {
      if (Array.isArray(value)) return "array";
    } catch {
      return "revoked";
    }
    return guardIsAbortSignal(value) ? "AbortSignal" : "object";
  }
  return type;
}

function guardKindWords(kind) {
  if (kind === "null") return "null";
  const word = kind.replace(/^class:/, "");
  return `${/^[aeiouAEIOU]/.test(word) ? "an" : "a"} ${word}`;
}

/** Every element of a list of primitives has one of the element kinds. */
function guardItems(name, items, list) {
  for (let j = 0; j < list.length; j++) {
    const item = list[j];
    if (!items.includes(item === null ? "null" : typeof item) || (typeof item === "number" && !Number.isFinite(item))) {
      throw guardError("invalid_input", `${name}[${j}] must be ${items.map(guardKindWords).join(" or ")}, got ${guardDescribe(item)}`);
    }
  }
}

const GUARD_ORDINAL = ["1st", "2nd", "3rd"];

/** Checks and converts the arguments of one call; throws a coded error naming the parameter. */
function guardArguments(where, sig, args, classes) {
  const out = new Array(sig.params.length);
  for (let i = 0; i < sig.params.length; i++) {
    const param = sig.params[i];
    const value = args[i];
    const name = `${where}: parameter '${param.name}' (${GUARD_ORDINAL[i] ?? `${i + 1}th`})`;
    const kinds = param.kinds;
    if (kinds.includes("any")) {
      out[i] = value;
      continue;
    }
    const kind = guardKindOf(value);
    if (kind === "object" && kinds.some((k) => k.startsWith("class:"))) {
      const cls = kinds.map((k) => k.startsWith("class:") && classes[k.slice(6)]).find((c) => c && value instanceof c);
      if (cls) {
        if (!value.__wbg_ptr) throw guardError("invalid_input", `${name} is a freed ${cls.name}`);
        out[i] = value;
        continue;
      }
    }
    if (kind === "undefined" && !param.optional && !kinds.includes("undefined")) {
      throw guardError("invalid_input", `${name} is missing`);
    }
    if (!kinds.includes(kind) || kind === "revoked") {
      const expected = kinds.filter((k) => k !== "undefined").map(guardKindWords).join(" or ");
      throw guardError("invalid_input", `${name} must be ${expected || "absent"}, got ${guardDescribe(value)}`);
    }
    if (kind === "number" && !Number.isFinite(value)) {
      // The glue would turn NaN into 0 and Infinity into an arbitrary integer, silently.
      throw guardError("invalid_input", `${name} must be a finite number, got ${value}`);
    }
    if (kind === "object" || kind === "array") {
      try {
        out[i] = guardPlain(value, 0, { nodes: 0 }, []);
      } catch (e) {
        if (!(e instanceof GuardFailure)) throw e;
        const error = guardError(e.code, `${where}: parameter '${guardQuote(param.name + e.path)}' ${e.what}`);
        // The field at fault, as the Rust side names fields: the top-level key within the argument.
        const top = /^\.([A-Za-z_$][\w$]*)/.exec(e.path);
        if (top) error.field = top[1];
        throw error;
      }
      if (kind === "array" && param.items) guardItems(name, param.items, out[i]);
    } else {
      out[i] = value;
    }
  }
  return out;
}

/** A failure of the glue or of WebAssembly itself: never expected, so named as such. */
function guardEscaped(where, thrown) {
  let coded = false;
  try {
    coded = thrown instanceof Error && thrown.name === "UsersyncError" && typeof thrown.code === "string";
  } catch {
    coded = false;
  }
  if (coded || !(thrown instanceof WebAssembly.RuntimeError)) return thrown;
  const error = new Error(
    `usersync: ${where} failed inside WebAssembly (${guardReason(thrown)}); this is a bug in usersync, ` +
      "and this process's usersync instances may no longer be usable",
    { cause: thrown },
  );
  error.name = "UsersyncInternalError";
  return error;
}

function guardCall(where, sig, fn, classes) {
  if (sig.predicate) {
    // A predicate answers every value; one it cannot inspect is not what it asks about.
    return function (...args) {
      try {
        return fn.apply(this, args);
      } catch {
        return false;
      }
    };
  }
  if (sig.async) {
    return function (...args) {
      let checked;
      try {
        checked = guardArguments(where, sig, args, classes);
      } catch (e) {
        return Promise.reject(e);
      }
      try {
        return Promise.resolve(fn.apply(this, checked)).catch((e) => {
          throw guardEscaped(where, e);
        });
      } catch (e) {
        return Promise.reject(guardEscaped(where, e));
      }
    };
  }
  return function (...args) {
    const checked = guardArguments(where, sig, args, classes);
    try {
      return fn.apply(this, checked);
    } catch (e) {
      throw guardEscaped(where, e);
    }
  };
}

/** `this` must be a live instance of the class: a freed one would reach Rust as a null pointer. */
function guardReceiver(where, cls, self) {
  let instance = false;
  let live = false;
  try {
    instance = self instanceof cls;
    live = instance && typeof self.__wbg_ptr === "number" && self.__wbg_ptr !== 0;
  } catch {
    live = false;
  }
  if (!live) {
    const what = instance ? `a freed ${cls.name}` : `something that is not ${guardKindWords(cls.name)}`;
    throw guardError("invalid_input", `${where} was called on ${what}`);
  }
}

/**
 * The guarded exports: functions wrapped; classes patched in place (prototype and static
 * methods, so instances made by Rust or by static methods are guarded too) and fronted by a
 * Proxy that checks constructor arguments. `instanceof` and `free()` work as before.
 */
function guardExports(raw, table) {
  const out = {};
  const classes = {};
  for (const name of Object.keys(table.classes)) if (typeof raw[name] === "function") classes[name] = raw[name];
  for (const [name, sig] of Object.entries(table.functions)) {
    if (typeof raw[name] === "function") out[name] = guardCall(name, sig, raw[name], classes);
  }
  for (const [name, entry] of Object.entries(table.classes)) {
    const cls = classes[name];
    if (!cls) continue;
    const proto = cls.prototype;
    for (const [method, sig] of Object.entries(entry.methods)) {
      const original = proto[method];
      if (typeof original !== "function") continue;
      const where = `${name}.${method}`;
      const call = guardCall(where, sig, original, classes);
      Object.defineProperty(proto, method, {
        value: {
          [method](...args) {
            guardReceiver(where, cls, this);
            return call.apply(this, args);
          },
        }[method],
        writable: true,
        configurable: true,
      });
    }
    for (const [prop, sig] of Object.entries(entry.setters)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, prop);
      if (!descriptor?.set) continue;
      const where = `${name}.${prop}`;
      const set = guardCall(where, sig, descriptor.set, classes);
      Object.defineProperty(proto, prop, {
        ...descriptor,
        set(value) {
          guardReceiver(where, cls, this);
          set.call(this, value);
        },
      });
    }
    for (const [method, sig] of Object.entries(entry.statics)) {
      if (typeof cls[method] !== "function") continue;
      Object.defineProperty(cls, method, {
        value: guardCall(`${name}.${method}`, sig, cls[method], classes),
        writable: true,
        configurable: true,
      });
    }
    const rawFree = proto.free;
    if (typeof rawFree === "function") {
      // Freeing twice, or freeing a non-instance, does nothing rather than hand Rust a null pointer.
      Object.defineProperty(proto, "free", {
        value: function free() {
          let live = false;
          try {
            live = this instanceof cls && this.__wbg_ptr !== 0;
          } catch {
            live = false;
          }
          if (live) rawFree.call(this);
        },
        writable: true,
        configurable: true,
      });
      if (typeof Symbol.dispose === "symbol" && typeof proto[Symbol.dispose] === "function") {
        Object.defineProperty(proto, Symbol.dispose, { value: proto.free, writable: true, configurable: true });
      }
    }
    const ctor = entry.ctor;
    out[name] = new Proxy(cls, {
      construct(target, args, newTarget) {
        const checked = ctor ? guardArguments(`new ${name}`, ctor, args, classes) : args;
        try {
          return Reflect.construct(target, checked, newTarget);
        } catch (e) {
          throw guardEscaped(`new ${name}`, e);
        }
      },
    });
  }
  return out;
}
// ---- end of the usersync argument guard ----
