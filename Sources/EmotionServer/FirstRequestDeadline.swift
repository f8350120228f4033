import HummingbirdCore
import Logging
import NIOCore

/// A connection must send its first bytes within a deadline, or it is closed.
///
/// Hummingbird applies its HTTP idle timeout only once a request has begun (the handler that
/// enforces it joins the pipeline after the WebSocket upgrade decision), so a client that
/// connects and sends nothing would hold a connection, and a file descriptor, for ever: the
/// cheapest way to exhaust a server. This wrapper adds a first handler to each connection that
/// closes it when nothing arrives within the deadline, and stands aside at the first byte.
struct FirstRequestDeadline<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base
    let deadline: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let deadline = deadline
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(DeadlineHandler(deadline: deadline), position: .first)
        }.flatMap { base.setup(channel: channel, logger: logger) }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

/// Closes the channel unless bytes arrive within `deadline` of it being added; after the first
/// read it only passes data on.
final class DeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let deadline: TimeAmount
    private var timer: Scheduled<Void>?

    init(deadline: TimeAmount) {
        self.deadline = deadline
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: deadline) { channel.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        timer?.cancel()
        timer = nil
        context.fireChannelRead(data)
    }
}
