/// The CURVE keys a client or worker uses to reach a broker over tcp:// between machines.
public struct CurveClientKeys: Sendable, Equatable {
    public var serverKey: String
    public var publicKey: String
    public var secretKey: String

    public init(serverKey: String, publicKey: String, secretKey: String) {
        self.serverKey = serverKey
        self.publicKey = publicKey
        self.secretKey = secretKey
    }
}
