// remote_file.cpp: see remote_file.hpp.

#include "remote_file.hpp"

extern "C" {
#include <libavformat/avio.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>
}

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace cvs {
namespace {

constexpr int kChunk = 1 << 16;

}  // namespace

std::unique_ptr<RemoteFile> RemoteFile::open(const std::string &url, AVDictionary **options,
                                             const AVIOInterruptCB *interrupt, int &error, bool &too_large) {
    too_large = false;
    std::unique_ptr<RemoteFile> file(new RemoteFile());
    error = avio_open2(&file->connection_, url.c_str(), AVIO_FLAG_READ, interrupt, options);
    if (error < 0) return nullptr;
    const int64_t size = avio_size(file->connection_);
    if ((file->connection_->seekable & AVIO_SEEKABLE_NORMAL) != 0 || size <= 0) return file;
    if (size > kMaxBufferedBytes) {
        too_large = true;
        error = AVERROR(EFBIG);
        return nullptr;
    }
    file->size_ = size;
    file->data_.reserve(size_t(size) + kChunk);  // pages are only taken as they are written
    uint8_t *buffer = static_cast<uint8_t *>(av_malloc(kChunk));
    if (buffer == nullptr) return error = AVERROR(ENOMEM), nullptr;
    file->buffered_ = avio_alloc_context(buffer, kChunk, 0, file.get(), read, nullptr, seek);
    if (file->buffered_ == nullptr) {
        av_free(buffer);
        return error = AVERROR(ENOMEM), nullptr;
    }
    return file;
}

RemoteFile::~RemoteFile() {
    if (buffered_ != nullptr) {
        av_freep(&buffered_->buffer);
        avio_context_free(&buffered_);
    }
    avio_closep(&connection_);
}

AVIOContext *RemoteFile::context() const { return buffered_ != nullptr ? buffered_ : connection_; }

// Reads on until `until` bytes are held, the data ends, or the connection fails (its AVERROR).
int RemoteFile::fill(int64_t until) {
    until = std::min(until, size_);
    while (int64_t(data_.size()) < until && !ended_) {
        const size_t held = data_.size();
        data_.resize(held + kChunk);
        const int got = avio_read_partial(connection_, data_.data() + held, kChunk);
        data_.resize(held + size_t(std::max(got, 0)));
        if (got == 0 || got == AVERROR_EOF) {
            ended_ = true;
            break;
        }
        if (got < 0) return got;
    }
    return 0;
}

int RemoteFile::read(void *opaque, uint8_t *buffer, int size) {
    RemoteFile *file = static_cast<RemoteFile *>(opaque);
    if (file->position_ >= int64_t(file->data_.size())) {
        const int filled = file->fill(file->position_ + std::max(size, kChunk));
        if (filled < 0) return filled;
    }
    const int64_t available = int64_t(file->data_.size()) - file->position_;
    if (available <= 0) return AVERROR_EOF;
    const int count = int(std::min<int64_t>(size, available));
    std::memcpy(buffer, file->data_.data() + file->position_, size_t(count));
    file->position_ += count;
    return count;
}

int64_t RemoteFile::seek(void *opaque, int64_t offset, int whence) {
    RemoteFile *file = static_cast<RemoteFile *>(opaque);
    if (whence & AVSEEK_SIZE) return file->size_;
    int64_t target = offset;
    switch (whence & ~AVSEEK_FORCE) {
    case SEEK_SET: break;
    case SEEK_CUR: target += file->position_; break;
    case SEEK_END: target += file->size_; break;
    default: return AVERROR(EINVAL);
    }
    if (target < 0) return AVERROR(EINVAL);
    if (target > int64_t(file->data_.size())) {
        const int filled = file->fill(target);
        if (filled < 0) return filled;
    }
    file->position_ = target;
    return target;
}

}  // namespace cvs
