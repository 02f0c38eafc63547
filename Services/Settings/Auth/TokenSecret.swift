import Crypto
import Foundation

/// API and session tokens: 32 random bytes, shown once as `crm_` + base64url, stored only as their
/// SHA-256 (a token has far more entropy than a password, so a fast hash is enough and lets every
/// request be checked cheaply).
enum TokenSecret {
    /// A new token.
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return "crm_"
            + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// What is stored and looked up: the hex SHA-256 of the token.
    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The first characters, to tell tokens apart in lists.
    static func prefix(_ token: String) -> String { String(token.prefix(10)) }
}
