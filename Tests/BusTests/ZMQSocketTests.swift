import CZeroMQ
import Foundation
import Testing

@testable import Bus

@Suite("ZeroMQ wrapper")
struct ZMQSocketTests {
    @Test("multipart messages keep their frames, including empty ones")
    func multipartRoundTrip() throws {
        let context = ZMQContext()
        defer { context.terminate() }
        let server = try ZMQSocket(context: context, type: .pair)
        let client = try ZMQSocket(context: context, type: .pair)
        defer { client.close(); server.close() }
        try server.bind("inproc://multipart")
        try client.connect("inproc://multipart")
        let frames = [Data("a".utf8), Data(), Data([0, 1, 2, 255])]
        try client.send(frames)
        let received = try server.receive()
        #expect(received == frames)
    }

    @Test("a non-blocking receive with nothing waiting returns nil")
    func dontWaitReturnsNil() throws {
        let context = ZMQContext()
        defer { context.terminate() }
        let socket = try ZMQSocket(context: context, type: .pull)
        defer { socket.close() }
        try socket.bind("inproc://empty")
        #expect(try socket.receive(dontWait: true) == nil)
    }

    @Test("bind errors are typed and name the endpoint")
    func bindErrorIsTyped() throws {
        let context = ZMQContext()
        defer { context.terminate() }
        let socket = try ZMQSocket(context: context, type: .router)
        defer { socket.close() }
        #expect(throws: ZMQError.self) { try socket.bind("nonsense://nowhere") }
        do {
            try socket.bind("nonsense://nowhere")
        } catch let error as ZMQError {
            #expect(error.description.contains("nonsense://nowhere"))
        }
    }

    @Test("options are set and read back; binding to port * reports the real port")
    func optionsAndLastEndpoint() throws {
        let context = ZMQContext()
        defer { context.terminate() }
        let socket = try ZMQSocket(context: context, type: .router, linger: 250)
        defer { socket.close() }
        #expect(try socket.intOption(ZMQ_LINGER) == 250)
        try socket.setOption(ZMQ_SNDHWM, 1234)
        #expect(try socket.intOption(ZMQ_SNDHWM) == 1234)
        try socket.bind("tcp://127.0.0.1:*")
        #expect(socket.lastEndpoint.hasPrefix("tcp://127.0.0.1:"))
        #expect(!socket.lastEndpoint.hasSuffix(":*"))
    }

    @Test("poll reports a readable socket and times out on an idle one")
    func pollReadiness() throws {
        let context = ZMQContext()
        defer { context.terminate() }
        let a = try ZMQSocket(context: context, type: .pair)
        let b = try ZMQSocket(context: context, type: .pair)
        defer { a.close(); b.close() }
        try a.bind("inproc://poll")
        try b.connect("inproc://poll")
        var poller = ZMQPoller()
        let index = poller.add(a)
        #expect(try poller.poll(timeoutMilliseconds: 10) == 0)
        try b.send(["ping"])
        var idle = ZMQPoller()
        _ = idle.add(a)
        #expect(try idle.poll(timeoutMilliseconds: 1000) == 1)
        #expect(idle.isReadable(index))
    }

    @Test("ROUTER_MANDATORY makes an unknown peer an error instead of a silent drop")
    func routerMandatory() throws {
        let context = ZMQContext()
        defer { context.terminate() }
        let router = try ZMQSocket(context: context, type: .router)
        defer { router.close() }
        try router.setOption(ZMQ_ROUTER_MANDATORY, 1)
        try router.bind("inproc://mandatory")
        do {
            try router.send([Data("nobody".utf8), Data("x".utf8)], dontWait: true)
            Issue.record("send to an unknown peer should fail")
        } catch let error as ZMQError {
            #expect(error.isUnroutable)
        }
    }

    @Test("CURVE: an encrypted DEALER/ROUTER pair talks; key pairs are derived consistently")
    func curveRoundTrip() throws {
        let serverKeys = try CurveKeyPair.generate()
        let clientKeys = try CurveKeyPair.generate()
        #expect(serverKeys.publicKey.count == 40)
        #expect(try CurveKeyPair.publicKey(forSecret: serverKeys.secretKey) == serverKeys.publicKey)
        let context = ZMQContext()
        defer { context.terminate() }
        let server = try ZMQSocket(context: context, type: .router)
        let client = try ZMQSocket(context: context, type: .dealer)
        defer { client.close(); server.close() }
        try server.makeCurveServer(secretKey: serverKeys.secretKey)
        try server.bind("tcp://127.0.0.1:*")
        try client.makeCurveClient(
            serverKey: serverKeys.publicKey, publicKey: clientKeys.publicKey,
            secretKey: clientKeys.secretKey)
        try client.connect(server.lastEndpoint)
        try client.send(["secret"])
        try server.setOption(ZMQ_RCVTIMEO, 3000)
        let frames = try server.receive()
        #expect(frames?.last == Data("secret".utf8))
    }
}
