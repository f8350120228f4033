import FaceDetection
import OpenCVShim

/// An OpenCV (highgui) window: resizable, keeps the picture's aspect ratio, no toolbar or status
/// bar. Keys are read with `waitKey` / `pollKey`, which also run the GUI's event loop.
public final class Window {
    private let handle: OpaquePointer
    public let title: String

    public init(title: String, width: Int = 0, height: Int = 0) throws {
        var out: OpaquePointer?
        try shimCall { cvs_window_create(title, Int32(width), Int32(height), &out, $0) }
        handle = out!
        self.title = title
    }

    deinit { cvs_window_destroy(handle) }

    public func show(_ image: Image) throws {
        try shimCall { cvs_window_show(handle, image.handle, $0) }
    }

    /// True once the user has closed the window with its close button.
    public var isClosed: Bool {
        var closed: Int32 = 0
        var error = cvs_error()
        _ = cvs_window_is_closed(handle, &closed, &error)
        return closed != 0
    }

    /// Waits up to `milliseconds` (0: for ever) for a key; nil when none was pressed.
    public static func waitKey(milliseconds: Int) throws -> Int32? {
        var key: Int32 = -1
        try shimCall { cvs_wait_key(Int32(milliseconds), &key, $0) }
        return key < 0 ? nil : key
    }

    /// Handles pending GUI events without waiting; the key pressed, if any.
    public static func pollKey() throws -> Int32? {
        var key: Int32 = -1
        try shimCall { cvs_poll_key(&key, $0) }
        return key < 0 ? nil : key
    }
}
