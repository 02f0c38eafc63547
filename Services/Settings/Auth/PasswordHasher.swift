import Bus
import Crypto
import Foundation
import HummingbirdBcrypt

/// Hashes and checks passwords with bcrypt, off Swift's cooperative thread pool: one hash takes
/// tens to hundreds of milliseconds of CPU, which would stall every other task on a two-core
/// machine. At most two run at once; the rest wait their turn.
final class PasswordHasher: Sendable {
    /// bcrypt's work factor (4...31); each step doubles the time.
    let cost: UInt8
    private let queue: OperationQueue

    init(cost: UInt8) {
        self.cost = cost
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 2
        queue.name = "password-hasher"
        self.queue = queue
    }

    /// The bcrypt hash of `password`, with a fresh salt.
    func hash(_ password: String) async -> String {
        let cost = cost
        let input = Self.bcryptInput(password)
        return await run { Bcrypt.hash(input, cost: cost) }
    }

    /// Whether `password` matches `hash`.
    func verify(_ password: String, hash: String) async -> Bool {
        let input = Self.bcryptInput(password)
        return await run { Bcrypt.verify(input, hash: hash) }
    }

    /// Spends about as long as a check, so a wrong username takes as long as a wrong password.
    func verifyNothing(_ password: String) async {
        _ = await verify(password, hash: Self.dummyHash)
    }

    private func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.addOperation { continuation.resume(returning: work()) }
        }
    }

    /// A bcrypt hash of a random string nobody knows.
    private static let dummyHash = Bcrypt.hash(UUID().uuidString, cost: 10)

    /// What bcrypt is given: the password itself up to the 72 bytes bcrypt reads, and beyond
    /// that the base64 of its SHA-256 (44 bytes), so that every byte of a long passphrase counts
    /// and no length the API allows is refused. Passwords of 72 bytes or fewer hash as before.
    static func bcryptInput(_ password: String) -> String {
        password.utf8.count <= 72 ? password : Data(SHA256.hash(data: Data(password.utf8))).base64EncodedString()
    }

    /// Refuses passwords too short to be worth hashing, or too long to be one (4 KiB).
    /// Characters are counted as the API document counts them: code points.
    static func check(_ password: String) throws -> String {
        guard password.unicodeScalars.count >= 8 else { throw BusError.invalid("a password needs at least 8 characters") }
        guard password.utf8.count <= 4096 else { throw BusError.invalid("a password can be at most 4,096 bytes long") }
        return password
    }

    /// A random password of 20 letters and digits (about 119 bits).
    static func generate() -> String {
        let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] })
    }
}
