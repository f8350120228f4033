// swift-tools-version:5.10
// emotion-live: real-time facial emotion detection for Linux.
//
// Targets, in the order data flows through them:
//   COpenCV        system library: OpenCV 4 headers and libraries (pkg-config opencv4)
//   OpenCVShim     C++ inside, plain C header outside: video decoding (FFmpeg), capture, Haar,
//                  crop/resize, drawing, windows
//   CHDF5          system library: libhdf5 (pkg-config hdf5) plus inline wrappers for its macros
//   CHDF5Guard     C: libhdf5 reads guarded against faults and absurd allocations on corrupt files
//   HDF5           Swift reader for HDF5 files: groups, attributes, float datasets
//   KerasKernels   the engine's arithmetic: GEMM, convolutions, pooling, activations (built
//                  -Ounchecked: hot loops without bounds checks; no parsing of files)
//   KerasEngine    pure-Swift Keras model loader and CNN inference engine (no OpenCV), built
//                  with checks: it parses untrusted files (JSON, configs, graphs, weights)
//   FaceDetection  the face detectors (Haar on the shim, MTCNN and YuNet on the engine) and the
//                  types every stage above shares: Image, FaceBox, detector options
//   EmotionPipeline  frame source -> face detector -> preprocessor -> classifier -> tracking -> sinks
//   EmotionServer  `emotion-live serve`: HTTP and WebSocket API, browser page, metrics
//                  (Hummingbird 2), on a fixed pool of the pipeline's frame processors
//   InlinePage     build plugin: the page's HTML, CSS and JS files into one string in the server
//   emotion-live   the command-line tool, a thin shell over the libraries above
import PackageDescription

/// The kernels' hot loops are bounds-check free (-Ounchecked) and tuned for the build machine's
/// CPU family; `make build PORTABLE=1` drops the CPU tuning (see README, "Compiler flags"). The
/// loader around them keeps every check (-O): it reads hostile files, and the fuzzers test it
/// built the same way. Debug builds optimize both: unoptimized, the kernels are thousands of
/// times slower, which would make the reference tests crawl.
let kernelSwiftSettings: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release)),
    .unsafeFlags(["-O"], .when(configuration: .debug)),
]
let engineSwiftSettings: [SwiftSetting] = [
    .unsafeFlags(["-O", "-wmo"], .when(configuration: .release)),
    .unsafeFlags(["-O"], .when(configuration: .debug)),
]

let package = Package(
    name: "emotion-live",
    products: [
        .executable(name: "emotion-live", targets: ["emotion-live"]),
        .library(name: "KerasEngine", targets: ["KerasEngine"]),
        .library(name: "FaceDetection", targets: ["FaceDetection"]),
        .library(name: "EmotionPipeline", targets: ["EmotionPipeline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.60.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenCV",
            pkgConfig: "opencv4",
            providers: [.apt(["libopencv-dev", "opencv-data"])]
        ),
        .target(
            name: "OpenCVShim",
            dependencies: ["COpenCV"],
            cxxSettings: [.unsafeFlags(["-O2"])],
            // Video files are decoded with FFmpeg directly (Debian: libavformat-dev,
            // libavcodec-dev, libswscale-dev; headers in the default include path). videoio,
            // imgcodecs and highgui are loaded with dlopen when needed (libdl).
            linkerSettings: [
                .linkedLibrary("stdc++"), .linkedLibrary("avformat"), .linkedLibrary("avcodec"),
                .linkedLibrary("swscale"), .linkedLibrary("avutil"), .linkedLibrary("dl"),
            ]
        ),
        .systemLibrary(
            name: "CHDF5",
            pkgConfig: "hdf5",
            providers: [.apt(["libhdf5-dev"])]
        ),
        .target(name: "CHDF5Guard", dependencies: ["CHDF5"]),
        .target(name: "HDF5", dependencies: ["CHDF5", "CHDF5Guard"]),
        .target(name: "KerasKernels", swiftSettings: kernelSwiftSettings),
        .target(name: "KerasEngine", dependencies: ["HDF5", "KerasKernels"], swiftSettings: engineSwiftSettings),
        .target(name: "FaceDetection", dependencies: ["OpenCVShim", "KerasEngine"]),
        .target(name: "EmotionPipeline", dependencies: ["FaceDetection", "OpenCVShim", "KerasEngine"]),
        .target(
            name: "EmotionServer",
            dependencies: [
                "EmotionPipeline", "KerasEngine",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            plugins: ["InlinePage"]
        ),
        // The browser page is kept as real files (Sources/EmotionServer/Page) and built into the
        // server as one string: the plugin runs the inline-page tool, a single small file.
        .executableTarget(name: "inline-page", path: "Plugins/inline-page"),
        .plugin(name: "InlinePage", capability: .buildTool(), dependencies: ["inline-page"]),
        .executableTarget(
            name: "emotion-live",
            dependencies: [
                "EmotionPipeline", "EmotionServer", "KerasEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Test-only: writes HDF5 files (valid and deliberately broken) for the reader and engine
        // tests; finds ../shared and makes pictures for the detector and pipeline tests.
        .target(name: "TestSupport", dependencies: ["CHDF5", "FaceDetection"], path: "Tests/TestSupport"),
        .testTarget(name: "HDF5Tests", dependencies: ["HDF5", "CHDF5", "TestSupport"]),
        // Fixtures are read through #filePath, not bundled as resources.
        .testTarget(
            name: "KerasEngineTests", dependencies: ["KerasEngine", "HDF5", "CHDF5", "TestSupport"],
            exclude: ["Fixtures"]
        ),
        // EmotionPipeline too: some detector tests decode the shared clips with its video reader.
        .testTarget(
            name: "FaceDetectionTests", dependencies: ["FaceDetection", "EmotionPipeline", "TestSupport"],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "EmotionPipelineTests", dependencies: ["EmotionPipeline", "TestSupport"]),
        .testTarget(name: "EmotionServerTests", dependencies: ["EmotionServer"]),
        .testTarget(name: "CLITests", dependencies: ["emotion-live"]),
        // Fuzz targets (`make fuzz`). Built with -DLIBFUZZER and -sanitize=fuzzer they are libFuzzer
        // binaries; in an ordinary build each is a replayer: `swift run FuzzNPY FILE...` runs the
        // same check on each file once.
        .target(name: "FuzzSupport", dependencies: ["KerasEngine"], path: "Fuzz/FuzzSupport"),
        .executableTarget(name: "FuzzModel", dependencies: ["FuzzSupport"], path: "Fuzz/FuzzModel"),
        .executableTarget(name: "FuzzConfig", dependencies: ["FuzzSupport", "HDF5", "CHDF5"], path: "Fuzz/FuzzConfig"),
        .executableTarget(name: "FuzzNPY", dependencies: ["FuzzSupport", "EmotionPipeline"], path: "Fuzz/FuzzNPY"),
    ]
)
