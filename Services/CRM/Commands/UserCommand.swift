import ArgumentParser
import Contracts
import Foundation
import ServiceKit

/// `crm user add|passwd|list`: users of the running system.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Add users, set passwords and list users of the running system.",
        subcommands: [Add.self, Passwd.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user. Without --password-stdin a password is generated and printed once.")
        @OptionGroup var options: CommonOptions
        @OptionGroup var admin: AdminOptions
        @Argument(help: "The username (letters, digits, . _ - @).") var username: String
        @Option(help: "Full name.") var name: String?
        @Option(help: "E-mail address.") var email: String?
        @Option(help: "Phone number.") var phone: String?
        @Option(name: .customLong("extension"), help: "Telephone extension (calls are matched to the user with it).")
        var extensionNumber: String?
        @Option(help: "boss or user.") var rank: Rank = .user
        @Flag(help: "Read the password from standard input.") var passwordStdin = false

        func run() async throws {
            let password = passwordStdin ? try AdminConnection.readPassword() : nil
            let connection = try admin.connect(options)
            defer { connection.close() }
            let created = try await connection.call(
                SettingsContract.Method.createUser,
                CreateUserRequest(
                    username: username, name: name, email: email, phone: phone, extensionNumber: extensionNumber, rank: rank,
                    password: password))
            print("added \(created.user.username) (id \(created.user.id), rank \(created.user.rank.rawValue))")
            if let generated = created.generatedPassword { print("password: \(generated)") }
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a user's password and end their sessions. Without --password-stdin one is generated and printed once.")
        @OptionGroup var options: CommonOptions
        @OptionGroup var admin: AdminOptions
        @Argument(help: "The username.") var username: String
        @Flag(help: "Read the new password from standard input.") var passwordStdin = false

        func run() async throws {
            let password = passwordStdin ? try AdminConnection.readPassword() : nil
            let connection = try admin.connect(options)
            defer { connection.close() }
            let reply = try await connection.call(
                SettingsContract.Method.setPassword, SetPasswordRequest(username: username, password: password))
            print("password of \(reply.user.username) set; their sessions have ended")
            if let generated = reply.generatedPassword { print("password: \(generated)") }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users.")
        @OptionGroup var options: CommonOptions
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            let connection = try admin.connect(options)
            defer { connection.close() }
            let users = try await connection.call(SettingsContract.Method.listUsers, ListUsersRequest())
            for user in users {
                print(
                    "\(user.id)\t\(user.username)\t\(user.rank.rawValue)\t\(user.active ? "active" : "inactive")\t\(user.name)"
                        + (user.extensionNumber.map { "\text \($0)" } ?? ""))
            }
        }
    }
}

extension Rank: ExpressibleByArgument {}
