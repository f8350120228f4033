import Glibc

/// A local file named as a source (a video, an image, an entry of an image directory), checked
/// before a decoder opens it, so that each way of not being a readable file gets its own words
/// instead of the decoders' "no such file" or "not a readable image": a path that does not
/// exist, one that may not be read, a device (/dev/null), a FIFO, a socket or a directory, an
/// empty file. A FIFO is never opened for reading by path: that would wait for a writer forever.
enum SourceFile {
    /// Throws `PipelineError.sourceNotFound` for a path that does not exist and
    /// `PipelineError.sourceUnreadable` for anything but a non-empty regular file.
    static func check(_ path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else { throw failure(path, errno: errno) }
        try check(info, path)
    }

    /// The whole file's bytes, after the same checks, on a descriptor opened non-blocking so
    /// that a FIFO swapped in after `stat` still cannot make the open wait; the kind is checked
    /// again on the descriptor itself.
    static func contents(_ path: String) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw failure(path, errno: errno) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw failure(path, errno: errno) }
        try check(info, path)
        let size = Int(info.st_size)
        var readError: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, filled in
            while filled < size {
                let got = read(descriptor, buffer.baseAddress! + filled, size - filled)
                if got < 0, errno == EINTR { continue }
                if got < 0 { readError = errno; break }
                if got == 0 { break }  // shrank since fstat: the container check sees it as cut
                filled += got
            }
        }
        if readError != 0 { throw PipelineError.sourceUnreadable(path: path, reason: describe(errno: readError)) }
        return bytes
    }

    private static func check(_ info: stat, _ path: String) throws {
        let kind: String
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            guard info.st_size > 0 else { throw PipelineError.sourceUnreadable(path: path, reason: "empty file") }
            return
        case S_IFDIR: kind = "a directory"
        case S_IFCHR: kind = "a character device"
        case S_IFBLK: kind = "a block device"
        case S_IFIFO: kind = "a FIFO"
        case S_IFSOCK: kind = "a socket"
        default: kind = "of an unknown kind"
        }
        throw PipelineError.sourceUnreadable(path: path, reason: "not a regular file (\(kind))")
    }

    private static func failure(_ path: String, errno code: Int32) -> PipelineError {
        code == ENOENT || code == ENOTDIR ? .sourceNotFound(path: path)
                                          : .sourceUnreadable(path: path, reason: describe(errno: code))
    }

    /// strerror's words in lower case ("permission denied"), as the other messages read.
    private static func describe(errno code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        let words = String(cString: text)
        return words.prefix(1).lowercased() + words.dropFirst()
    }
}
