#!/usr/bin/env python3
"""Compare emotion-live's engine with ONNX Runtime and Keras on the same models, in one run.

For each Keras .h5 model: load it with Keras (TensorFlow backend), convert it to ONNX with
tf2onnx, check that ONNX Runtime's outputs match Keras's on random input, then time all
three one thread each, at each batch size, interleaved round by round so that the noise of a
shared machine falls on all of them alike. emotion-live is timed through its own CLI
(`emotion-live bench --format json`), in a subprocess. The figures are medians, in
milliseconds per face; the ratios (ONNX Runtime / emotion-live, Keras / emotion-live) are
what to compare across machines: above 1 means emotion-live is faster.

Optional tooling only: nothing in emotion-live needs Python at run time. Importing this file
creates nothing and imports nothing heavy; TensorFlow and ONNX Runtime load in main().

    bench/.venv/bin/python bench/compare.py                # Markdown table on stdout
    bench/.venv/bin/python bench/compare.py --json         # JSON on stdout
    bench/.venv/bin/python bench/compare.py --help
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = REPO.parent / "shared"


def default_models(shared):
    return [
        REPO / "models" / "emotion-cnn.h5",                   # the bundled model (may not exist yet)
        Path(shared) / "models" / "seed-cnn.h5",                # the original project's CNN, tf.keras 2.3
        Path(shared) / "models" / "mini-xception-fer2013.hdf5",  # mini-Xception, Keras 2.0.5
    ]
DEFAULT_BIN = REPO / ".build" / "release" / "emotion-live"
IMPLS = ("emotion-live", "onnxruntime", "keras")


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description="Time emotion-live, ONNX Runtime and Keras on the same models (one thread, "
                    "interleaved rounds, medians in ms per face).")
    p.add_argument("--model", action="append", dest="models", metavar="PATH",
                   help="Keras .h5 model; repeat for several (default: the bundled model, "
                        "SHARED/models/seed-cnn.h5 and SHARED/models/mini-xception-fer2013.hdf5; "
                        "missing files are skipped with a note)")
    p.add_argument("--shared", default=str(DEFAULT_SHARED),
                   help="folder holding models/ with the reference models (default: %(default)s)")
    p.add_argument("--bin", default=str(DEFAULT_BIN),
                   help="emotion-live binary (default: %(default)s)")
    p.add_argument("--batch", action="append", type=int, dest="batches", metavar="B",
                   help="batch size; repeat for several (default: 1 and 8)")
    p.add_argument("--rounds", type=int, default=3,
                   help="interleaved rounds; each round times every model, batch and runtime once "
                        "(default: %(default)s)")
    p.add_argument("--seconds", type=float, default=1.0,
                   help="seconds of timed runs per measurement, after warm-up (default: %(default)s)")
    p.add_argument("--warmup", type=float, default=0.5,
                   help="seconds of warm-up per Python measurement; the engine's CLI warms up for "
                        "its own 1 s (default: %(default)s)")
    p.add_argument("--tolerance", type=float, default=1e-4,
                   help="largest allowed |ONNX - Keras| on random input (default: %(default)s)")
    p.add_argument("--no-engine", action="store_true",
                   help="time only ONNX Runtime and Keras (no ratios)")
    p.add_argument("--no-keras-timing", action="store_true",
                   help="skip timing Keras (it is still loaded to convert and check the model)")
    p.add_argument("--cpu", type=int, metavar="N",
                   help="pin this process and the engine's to CPU N (default: no pinning)")
    p.add_argument("--save-onnx", metavar="DIR",
                   help="also write the converted .onnx files to DIR (default: keep them in memory)")
    p.add_argument("--json", action="store_true", help="print JSON instead of the Markdown table")
    a = p.parse_args(argv)
    a.models = [Path(m) for m in a.models] if a.models else default_models(a.shared)
    a.batches = a.batches or [1, 8]
    if a.rounds < 1 or a.seconds <= 0 or a.warmup < 0 or any(b < 1 for b in a.batches):
        p.error("--rounds, --seconds and --batch must be positive, --warmup not negative")
    return a


def cpu_model():
    """The CPU's model name and its vector extensions that matter here, from /proc/cpuinfo."""
    name, flags = None, []
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "model name" and name is None:
                    name = value.strip()
                elif key.strip() == "flags" and not flags:
                    have = set(value.split())
                    flags = [x for x in ("avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16") if x in have]
    except OSError:
        pass
    name = name or platform.processor() or platform.machine()
    return f"{name} ({' '.join(flags)})" if flags else name


def model_name(path):
    name = path.name
    for suffix in (".hdf5", ".h5", ".keras"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def median_ms(fn, batch, warmup, seconds, min_runs=5):
    """Warm up for `warmup` seconds, then time calls for `seconds`; median ms per face."""
    end = time.perf_counter() + warmup
    fn()
    while time.perf_counter() < end:
        fn()
    times = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end or len(times) < min_runs:
        t0 = time.perf_counter_ns()
        fn()
        times.append(time.perf_counter_ns() - t0)
    return statistics.median(times) / 1e6 / batch, len(times)


class Engine:
    """emotion-live's `bench` subcommand, one subprocess per measurement."""

    def __init__(self, binary):
        self.binary = binary
        self.pass_seconds = True

    def version(self):
        try:
            r = subprocess.run([self.binary, "--version"], capture_output=True, text=True, timeout=30)
            return r.stdout.strip() or None if r.returncode == 0 else None
        except (OSError, subprocess.SubprocessError):
            return None

    def measure(self, model, batch, seconds):
        cmd = [self.binary, "bench", "--model", str(model), "--batch", str(batch),
               "--threads", "1", "--format", "json"]
        if self.pass_seconds:
            r = subprocess.run(cmd + ["--seconds", f"{seconds:g}"], capture_output=True, text=True)
            if r.returncode != 0 and "seconds" in r.stderr:
                self.pass_seconds = False  # an older CLI without --seconds: use its default
        if not self.pass_seconds:
            r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr.strip()[-500:]}")
        lines = [ln for ln in r.stdout.splitlines() if ln.strip().startswith("{")]
        if not lines:
            raise RuntimeError(f"{' '.join(cmd)} printed no JSON: {r.stdout[-500:]!r}")
        out = json.loads(lines[-1])
        return float(out["ms_per_face"]), out


def load_keras(path):
    """Keras 3 first (it reads Keras 2.0-era, tf.keras 2.x and Keras 3 legacy h5 files);
    tf_keras (Keras 2) if it is installed and Keras 3 refuses the file."""
    import keras
    try:
        return keras.models.load_model(str(path), compile=False), f"keras {keras.__version__}"
    except Exception as first:  # noqa: BLE001 - try the Keras 2 loader before giving up
        try:
            import tf_keras
        except ImportError:
            raise first
        log(f"  keras {keras.__version__} could not load it ({first!r:.200}); trying tf_keras")
        return tf_keras.models.load_model(str(path), compile=False), f"tf_keras {tf_keras.__version__}"


def to_onnx(model, opset):
    import tensorflow as tf
    import tf2onnx
    shape = (None,) + tuple(model.input_shape[1:])
    spec = (tf.TensorSpec(shape, tf.float32, name="input"),)
    try:
        proto, _ = tf2onnx.convert.from_keras(model, input_signature=spec, opset=opset)
        return proto, "tf2onnx.convert.from_keras"
    except Exception as e:  # noqa: BLE001 - the traced function is the converter's other door
        # Keras 3 Sequential models trip from_keras (KeyError on a keras_tensor).
        log(f"  tf2onnx.from_keras failed ({e!r:.200}); converting the traced call instead")
        fn = tf.function(lambda x: model(x, training=False))
        proto, _ = tf2onnx.convert.from_function(fn, input_signature=spec, opset=opset)
        return proto, "tf2onnx.convert.from_function"


def ort_session(proto):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(proto.SerializeToString(), sess_options=so,
                                providers=["CPUExecutionProvider"])


def prepare(path, args):
    """Loads, converts and checks one model; returns what the timing loop needs."""
    import numpy as np
    import tensorflow as tf
    keras_model, loader = load_keras(path)
    in_shape = tuple(keras_model.input_shape[1:])
    proto, converter = to_onnx(keras_model, opset=17)
    if args.save_onnx:
        Path(args.save_onnx).mkdir(parents=True, exist_ok=True)
        Path(args.save_onnx, model_name(path) + ".onnx").write_bytes(proto.SerializeToString())
    sess = ort_session(proto)
    in_name = sess.get_inputs()[0].name

    # A compiled call of the model is Keras's fast path for small batches (predict() adds
    # several ms of per-call overhead); one trace per batch size, made before timing.
    call = tf.function(lambda x: keras_model(x, training=False), reduce_retracing=True)

    rng = np.random.default_rng(42)
    inputs = {b: rng.random((b,) + in_shape, dtype=np.float32) for b in args.batches}
    check = rng.random((max(8, max(args.batches)),) + in_shape, dtype=np.float32)
    keras_out = call(tf.constant(check)).numpy()
    ort_out = sess.run(None, {in_name: check})[0]
    diff = float(np.abs(keras_out - ort_out).max())
    tf_inputs = {b: tf.constant(x) for b, x in inputs.items()}
    return {
        "path": path, "name": model_name(path), "loader": loader, "converter": converter, "input_shape": in_shape,
        "max_abs_diff": diff, "matches": diff <= args.tolerance,
        "ort": lambda b: sess.run(None, {in_name: inputs[b]}),
        "keras": lambda b: call(tf_inputs[b]).numpy(),
    }


def main(argv=None):
    args = parse_args(argv)

    # One thread everywhere, set before TensorFlow or ONNX Runtime start their pools.
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "TF_NUM_INTRAOP_THREADS",
                "TF_NUM_INTEROP_THREADS"):
        os.environ[var] = "1"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})  # the engine's subprocess inherits it

    engine = None
    if not args.no_engine:
        if not os.access(args.bin, os.X_OK):
            sys.exit(f"compare.py: no emotion-live binary at {args.bin}; build it with "
                     "`swift build -c release` and/or pass --bin (or --no-engine)")
        engine = Engine(args.bin)

    models = []
    skipped = []
    for m in args.models:
        if m.is_file():
            models.append(m)
        else:
            skipped.append(f"{m} (no such file)")
            log(f"skipping {m}: no such file")
    if not models:
        sys.exit("compare.py: none of the models exist")

    import numpy as np
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    import keras
    import onnx
    import onnxruntime as ort
    import tf2onnx

    versions = {
        "emotion-live": (engine.version() if engine else None),
        "emotion-live binary": (args.bin if engine else None),
        "onnxruntime": ort.__version__, "onnx": onnx.__version__, "tf2onnx": tf2onnx.__version__,
        "tensorflow": tf.__version__, "keras": keras.__version__, "numpy": np.__version__,
        "python": platform.python_version(),
        "cpu": cpu_model(), "logical_cpus": os.cpu_count(),
    }
    log("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items() if v is not None))

    prepared = []
    for m in models:
        log(f"loading and converting {m}")
        try:
            p = prepare(m, args)
        except Exception as e:  # noqa: BLE001 - report the model and carry on with the others
            log(f"  FAILED: {e!r}")
            skipped.append(f"{m} (could not load or convert: {e!r:.200})")
            continue
        log(f"  {p['loader']}, input {p['input_shape']}, ONNX vs Keras max |diff| "
            f"{p['max_abs_diff']:.2e} ({'ok' if p['matches'] else 'ABOVE TOLERANCE'})")
        prepared.append(p)
    if not prepared:
        sys.exit("compare.py: no model could be loaded and converted")

    impls = [i for i in IMPLS if (i != "emotion-live" or engine) and (i != "keras" or not args.no_keras_timing)]
    samples = {(p["name"], b, i): [] for p in prepared for b in args.batches for i in impls}
    engine_info = {}
    engine_failed = {}  # model name -> why the engine could not time it
    for r in range(args.rounds):
        log(f"round {r + 1}/{args.rounds}")
        for p in prepared:
            for b in args.batches:
                # Rotate the order each round, so no runtime always goes first or last.
                k = (r + b) % len(impls)
                for impl in impls[k:] + impls[:k]:
                    if impl == "emotion-live":
                        if p["name"] in engine_failed:
                            continue
                        try:
                            ms, info = engine.measure(p["path"], b, args.seconds)
                        except (RuntimeError, OSError, ValueError, KeyError) as e:
                            engine_failed[p["name"]] = str(e)
                            log(f"  {p['name']:<24} batch {b:<3} emotion-live  FAILED: {e}")
                            continue
                        engine_info[(p["name"], b)] = info
                    elif impl == "onnxruntime":
                        ms, _ = median_ms(lambda: p["ort"](b), b, args.warmup, args.seconds)
                    else:
                        ms, _ = median_ms(lambda: p["keras"](b), b, args.warmup, args.seconds)
                    samples[(p["name"], b, impl)].append(ms)
                    log(f"  {p['name']:<24} batch {b:<3} {impl:<13} {ms:8.4f} ms/face")

    rows = []
    for p in prepared:
        for b in args.batches:
            med = {i: statistics.median(samples[(p["name"], b, i)]) for i in impls
                   if samples[(p["name"], b, i)]}
            el = med.get("emotion-live")
            info = engine_info.get((p["name"], b), {})
            rows.append({
                "model": p["name"], "path": str(p["path"]), "batch": b,
                "input_shape": list(p["input_shape"]),
                "mflop_per_face": info.get("mflop_per_face"),
                "emotion_live_ms_per_face": el,
                "onnxruntime_ms_per_face": med.get("onnxruntime"),
                "keras_ms_per_face": med.get("keras"),
                "ort_over_emotion_live": (med["onnxruntime"] / el) if el else None,
                "keras_over_emotion_live": (med["keras"] / el) if el and "keras" in med else None,
                "samples_ms_per_face": {i: samples[(p["name"], b, i)] for i in impls},
            })
    conversion = {p["name"]: {"loader": p["loader"], "converter": p["converter"], "max_abs_diff": p["max_abs_diff"],
                              "within_tolerance": p["matches"]} for p in prepared}
    settings = {"threads": 1, "rounds": args.rounds, "seconds": args.seconds, "warmup": args.warmup,
                "tolerance": args.tolerance, "cpu_pinned": args.cpu,
                "keras_timing": "tf.function-compiled model call (training=False), input as tf.constant",
                "onnx": "tf2onnx, opset 17; ORT_ENABLE_ALL graph optimizations, sequential execution"}

    if args.json:
        print(json.dumps({"versions": versions, "settings": settings, "conversion": conversion,
                          "results": rows, "skipped": skipped, "engine_failures": engine_failed},
                         indent=2))
    else:
        print(markdown(rows, versions, settings, conversion,
                       skipped + [f"emotion-live on {k} ({v})" for k, v in engine_failed.items()]))
    return 0 if all(p["matches"] for p in prepared) and not engine_failed else 1


def markdown(rows, versions, settings, conversion, skipped):
    def f(x, spec):
        return "n/a" if x is None else format(x, spec)

    out = [
        f"emotion-live vs ONNX Runtime {versions['onnxruntime']} vs Keras {versions['keras']} "
        f"(TensorFlow {versions['tensorflow']}); one thread; median of {settings['rounds']} interleaved "
        f"rounds of {settings['seconds']:g} s each; ms per face; ratio > 1: emotion-live is faster.",
        f"CPU: {versions['cpu']} ({versions['logical_cpus']} logical CPUs). "
        f"emotion-live: {versions['emotion-live'] or 'n/a'}; onnx {versions['onnx']}, "
        f"tf2onnx {versions['tf2onnx']}, numpy {versions['numpy']}, Python {versions['python']}.",
        "",
        "| model | batch | emotion-live | ONNX Runtime | Keras | ORT / emotion-live | Keras / emotion-live |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        out.append(
            f"| {r['model']} | {r['batch']} | {f(r['emotion_live_ms_per_face'], '.4f')} | "
            f"{f(r['onnxruntime_ms_per_face'], '.4f')} | {f(r['keras_ms_per_face'], '.4f')} | "
            f"{f(r['ort_over_emotion_live'], '.2f')} | {f(r['keras_over_emotion_live'], '.2f')} |")
    out.append("")
    for name, c in conversion.items():
        out.append(f"- {name}: loaded with {c['loader']}, converted with {c['converter']}; ONNX vs Keras max |diff| on random input "
                   f"{c['max_abs_diff']:.1e} ({'within' if c['within_tolerance'] else 'ABOVE'} "
                   f"{settings['tolerance']:g})")
    for s in skipped:
        out.append(f"- not timed: {s}")
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
