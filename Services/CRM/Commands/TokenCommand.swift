import ArgumentParser
import Contracts
import Foundation
import ServiceKit

/// `crm token create|revoke|list`: API tokens, for example for a PBX posting call events.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Create, revoke and list API tokens of the running system.",
        subcommands: [Create.self, Revoke.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API token; it is printed once and stored only as a hash.",
            discussion: "Scopes: \(Scope.known.joined(separator: ", ")).")
        @OptionGroup var options: CommonOptions
        @OptionGroup var admin: AdminOptions
        @Option(help: "The user the token acts as.") var user = "admin"
        @Option(help: "What uses the token (shown in lists).") var name: String
        @Option(name: .customLong("scope"), help: "A scope; repeat for several.") var scopes: [String]
        @Option(help: "Days until the token expires (default: never).") var expiresDays: Int?

        func run() async throws {
            let connection = try admin.connect(options)
            defer { connection.close() }
            let expires = try expiresDays.map { days -> Date in
                guard days > 0 else { throw ValidationError("--expires-days must be positive") }
                return Date().addingTimeInterval(Double(days) * 86400)
            }
            let created = try await connection.call(
                SettingsContract.Method.createToken,
                CreateTokenRequest(name: name, scopes: scopes, username: user, expiresAt: expires))
            print("token \(created.info.id) for \(user), scopes \(created.info.scopes.joined(separator: " ")):")
            print(created.token)
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by its id.")
        @OptionGroup var options: CommonOptions
        @OptionGroup var admin: AdminOptions
        @Argument(help: "The token's id (see `crm token list`).") var id: Int64

        func run() async throws {
            let connection = try admin.connect(options)
            defer { connection.close() }
            let token = try await connection.call(SettingsContract.Method.revokeToken, IdRequest(id: id))
            print("token \(token.id) (\(token.name)) revoked")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List API tokens (not sessions) of every user.")
        @OptionGroup var options: CommonOptions
        @OptionGroup var admin: AdminOptions
        @Flag(help: "Include revoked tokens.") var includeRevoked = false

        func run() async throws {
            let connection = try admin.connect(options)
            defer { connection.close() }
            let tokens = try await connection.call(
                SettingsContract.Method.listTokens, ListTokensRequest(all: true, includeRevoked: includeRevoked))
            for token in tokens where token.kind == "api" {
                let used = token.lastUsedAt.map { Timestamp.string(from: $0) } ?? "never used"
                print(
                    "\(token.id)\tuser \(token.userId)\t\(token.name)\t\(token.scopes.joined(separator: " "))\t\(token.prefix)…\t\(used)"
                        + (token.revokedAt != nil ? "\trevoked" : ""))
            }
        }
    }
}
