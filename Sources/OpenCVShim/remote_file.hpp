// remote_file.hpp: the HTTP connection of a network video, made seekable when its server is not
// (remote_file.cpp). Internal to the shim.
#ifndef OPENCV_SHIM_REMOTE_FILE_HPP
#define OPENCV_SHIM_REMOTE_FILE_HPP

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct AVDictionary;
struct AVIOContext;
struct AVIOInterruptCB;

namespace cvs {

/// An http(s) URL opened for a demuxer that gets it as its custom I/O.
///
/// A server that sends a file's length but cannot serve byte ranges (`python3 -m http.server`,
/// many small servers) leaves FFmpeg unable to seek, and an MP4 whose index (moov) follows its
/// data cannot be read that way at all; players fail on it too. Such a file is kept in memory as
/// it arrives (at most `kMaxBufferedBytes`), so every seek is served: backwards from memory,
/// forwards by reading on. Live streams (no length) and servers that seek are passed through.
class RemoteFile {
public:
    static constexpr int64_t kMaxBufferedBytes = int64_t(1) << 30;

    /// Null on failure with an AVERROR in `error` (`too_large` set when the file exceeds
    /// kMaxBufferedBytes). `options` are FFmpeg's protocol options; those used are removed.
    static std::unique_ptr<RemoteFile> open(const std::string &url, AVDictionary **options,
                                            const AVIOInterruptCB *interrupt, int &error, bool &too_large);
    ~RemoteFile();
    RemoteFile(const RemoteFile &) = delete;
    RemoteFile &operator=(const RemoteFile &) = delete;

    /// The context to give the demuxer (`AVFormatContext::pb`, with AVFMT_FLAG_CUSTOM_IO).
    AVIOContext *context() const;

private:
    RemoteFile() = default;
    static int read(void *opaque, uint8_t *buffer, int size);
    static int64_t seek(void *opaque, int64_t offset, int whence);
    int fill(int64_t until);

    AVIOContext *connection_ = nullptr;  // FFmpeg's http(s) context
    AVIOContext *buffered_ = nullptr;    // ours over `data_`, when the server cannot seek
    std::vector<uint8_t> data_;          // the file's first bytes, as far as read
    int64_t position_ = 0;
    int64_t size_ = 0;                   // the length the server declared
    bool ended_ = false;
};

}  // namespace cvs

#endif
