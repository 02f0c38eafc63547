import Bus
import Contracts
import Foundation
import GRDB
import Storage
import TestKit
import Testing

@testable import SettingsService

@Suite("Settings: users, sign-in and tokens")
struct AccountTests {
    @Test("first start makes a boss 'admin' and the default reference data, once")
    func firstStart() async throws {
        let fixture = try await Fixture()
        let users = try await fixture.store.listUsers(ListUsersRequest())
        #expect(users.map(\.username) == ["admin"])
        #expect(users.first?.rank == .boss)
        let statuses = try await fixture.store.listReference(ListReferenceRequest(kind: .salesStatuses))
        #expect(statuses.map(\.name) == ["In progress", "Won", "Postponed", "Lost"])
        #expect(!statuses.contains { !$0.locked })
        let companyStatuses = try await fixture.store.listReference(ListReferenceRequest(kind: .companyStatuses))
        #expect(Set(companyStatuses.map(\.name)).isSuperset(of: ["Active", "Bankrupt", "Merged"]))
        for kind in ReferenceKind.allCases {
            let items = try await fixture.store.listReference(ListReferenceRequest(kind: kind))
            #expect(!items.isEmpty, "\(kind) has defaults")
        }
        let again = try await DefaultData.seedIfEmpty(fixture.store.database) { ("x", nil) }
        #expect(again.seeded == false)
    }

    @Test("signing in gives a token that verifies as the user, with every scope")
    func login() async throws {
        let fixture = try await Fixture()
        let reply = try await fixture.store.login(LoginRequest(username: "Admin", password: "admin-password", client: "10.0.0.1"))
        #expect(reply.user.username == "admin")
        let principal = try await fixture.store.verify(TokenRequest(token: reply.token))
        #expect(principal.rank == .boss && principal.has(Scope.settingsWrite))
        // Only the hash is stored.
        let stored = try await fixture.store.database.read { db in try String.fetchAll(db, sql: "SELECT token_hash FROM api_token") }
        #expect(!stored.contains(reply.token) && stored.contains(TokenSecret.hash(reply.token)))
        _ = try await fixture.store.logout(TokenRequest(token: reply.token))
        await expectBusError(.unauthorized) { _ = try await fixture.store.verify(TokenRequest(token: reply.token)) }
        await expectBusError(.unauthorized) { _ = try await fixture.store.verify(TokenRequest(token: "crm_made_up")) }
    }

    @Test("wrong passwords are refused, and past five failures each attempt has to wait")
    func throttle() async throws {
        let fixture = try await Fixture()
        for _ in 0..<5 {
            await expectBusError(.unauthorized) {
                _ = try await fixture.store.login(LoginRequest(username: "admin", password: "wrong-password", client: "10.0.0.2"))
            }
        }
        do {
            _ = try await fixture.store.login(LoginRequest(username: "admin", password: "admin-password", client: "10.0.0.2"))
            Issue.record("a sixth attempt right away was let through")
        } catch let error as BusError {
            #expect(error.code == .rateLimited)
            #expect((error.details?["retry_after"] ?? 0) >= 1)
        }
        // An unknown user takes the same path (and counts the same).
        await expectBusError(.unauthorized) {
            _ = try await fixture.store.login(LoginRequest(username: "nobody", password: "whatever-123", client: nil))
        }
        fixture.clock.advance(by: 1.1)
        let reply = try await fixture.store.login(LoginRequest(username: "admin", password: "admin-password", client: "10.0.0.2"))
        #expect(!reply.token.isEmpty)
    }

    @Test("32 parallel guesses get the password checked once or twice, not 32 times; the right one still gets in after")
    func parallelGuesses() async throws {
        let fixture = try await Fixture()
        let outcomes = await withTaskGroup(of: String.self) { group in
            for n in 0..<32 {
                group.addTask {
                    do {
                        _ = try await fixture.store.login(LoginRequest(username: "admin", password: "guess-\(n)", client: "10.0.0.9"))
                        return "ok"
                    } catch let error as BusError {
                        return error.code.rawValue
                    } catch {
                        return "\(error)"
                    }
                }
            }
            var all: [String] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        let checked = outcomes.filter { $0 == "unauthorized" }.count
        #expect(checked >= 1 && checked < 5, "\(outcomes)")
        #expect(outcomes.filter { $0 == "rate_limited" }.count == 32 - checked)
        let reply = try await fixture.store.login(LoginRequest(username: "admin", password: "admin-password", client: "10.0.0.9"))
        #expect(!reply.token.isEmpty)
    }

    @Test("a trickle of wrong passwords never locks the user out: counts start over each 15 minutes; a lock lasts at most 5 minutes")
    func trickle() async throws {
        let fixture = try await Fixture()
        let keys = LoginThrottle.keys(username: "admin", client: "10.6.6.6")
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        // One guess every 4 minutes for ten hours: never more than 4 in a window, never a wait.
        for step in 0..<150 {
            let now = start.addingTimeInterval(Double(step) * 240)
            let wait = try await fixture.store.database.write { db, _ -> Int? in
                let wait = try LoginThrottle.begin(db, keys: keys, now: now)
                if wait == nil { try LoginThrottle.failed(db, keys: keys) }
                return wait
            }
            #expect(wait == nil, "guess \(step) had to wait \(wait ?? 0) s")
        }
        // One guess every 30 s for two hours: locked at times, never for more than 300 s.
        var waited = 0
        for step in 0..<240 {
            let now = start.addingTimeInterval(100_000 + Double(step) * 30)
            let wait = try await fixture.store.database.write { db, _ -> Int? in
                let wait = try LoginThrottle.begin(db, keys: keys, now: now)
                if wait == nil { try LoginThrottle.failed(db, keys: keys) }
                return wait
            }
            if let wait {
                waited += 1
                #expect(wait <= 300)
            }
        }
        #expect(waited > 0 && waited < 240)
    }

    @Test("a boss adds users; a generated password is answered once; usernames and extensions are unique")
    func users() async throws {
        let fixture = try await Fixture()
        await expectBusError(.forbidden) {
            _ = try await fixture.store.createUser(CreateUserRequest(username: "kari"), headers: Fixture.user)
        }
        let created = try await fixture.store.createUser(
            CreateUserRequest(username: "Kari", name: "Kari Nordmann", email: "kari@example.com", extensionNumber: "201"),
            headers: Fixture.boss)
        #expect(created.user.username == "kari" && created.user.rank == .user)
        let password = try #require(created.generatedPassword)
        #expect(password.count == 20)
        let login = try await fixture.store.login(LoginRequest(username: "kari", password: password, client: nil))
        #expect(login.user.extensionNumber == "201")
        await expectBusError(.conflict) {
            _ = try await fixture.store.createUser(CreateUserRequest(username: "KARI", password: "long-enough-1"), headers: Fixture.boss)
        }
        await expectBusError(.conflict) {
            _ = try await fixture.store.createUser(
                CreateUserRequest(username: "ola", extensionNumber: "201", password: "long-enough-1"), headers: Fixture.boss)
        }
        await expectBusError(.invalid) {
            _ = try await fixture.store.createUser(CreateUserRequest(username: "ola", password: "short"), headers: Fixture.boss)
        }
        await expectBusError(.invalid) {
            _ = try await fixture.store.createUser(CreateUserRequest(username: "o la", password: "long-enough-1"), headers: Fixture.boss)
        }
    }

    @Test("deactivating a user ends their tokens; the last boss cannot be demoted")
    func deactivate() async throws {
        let fixture = try await Fixture()
        let kari = try await fixture.store.createUser(CreateUserRequest(username: "kari", password: "kari-password"), headers: Fixture.boss)
        let login = try await fixture.store.login(LoginRequest(username: "kari", password: "kari-password", client: nil))
        var change = try Wire.decode(UpdateUserRequest.self, from: Data("{\"id\": \(kari.user.id), \"active\": false}".utf8))
        _ = try await fixture.store.updateUser(change, headers: Fixture.boss, requestId: "r1")
        await expectBusError(.unauthorized) { _ = try await fixture.store.verify(TokenRequest(token: login.token)) }
        await expectBusError(.unauthorized) {
            _ = try await fixture.store.login(LoginRequest(username: "kari", password: "kari-password", client: nil))
        }
        change = try Wire.decode(UpdateUserRequest.self, from: Data("{\"id\": 1, \"rank\": \"user\"}".utf8))
        await expectBusError(.conflict) { _ = try await fixture.store.updateUser(change, headers: Fixture.boss, requestId: "r2") }
    }

    @Test("passwords: a reset ends sessions; a change needs the current password")
    func passwords() async throws {
        let fixture = try await Fixture()
        let kari = try await fixture.store.createUser(CreateUserRequest(username: "kari", password: "kari-password"), headers: Fixture.boss)
        let session = try await fixture.store.login(LoginRequest(username: "kari", password: "kari-password", client: nil))
        let reset = try await fixture.store.setPassword(SetPasswordRequest(username: "kari"), headers: Fixture.boss)
        let newPassword = try #require(reset.generatedPassword)
        await expectBusError(.unauthorized) { _ = try await fixture.store.verify(TokenRequest(token: session.token)) }
        let headers = BusHeaders(actor: "kari", userId: kari.user.id, rank: "user")
        let wrong = try Wire.decode(
            ChangePasswordRequest.self, from: Data("{\"current_password\": \"nope-nope\", \"new_password\": \"brand-new-pass\"}".utf8))
        await expectBusError(.forbidden) { _ = try await fixture.store.changePassword(wrong, headers: headers) }
        let right = try Wire.decode(
            ChangePasswordRequest.self,
            from: Data("{\"current_password\": \"\(newPassword)\", \"new_password\": \"brand-new-pass\"}".utf8))
        _ = try await fixture.store.changePassword(right, headers: headers)
        _ = try await fixture.store.login(LoginRequest(username: "kari", password: "brand-new-pass", client: nil))
        let hashes = try await fixture.store.database.read { db in try String.fetchAll(db, sql: "SELECT password_hash FROM user") }
        #expect(hashes.allSatisfy { $0.hasPrefix("$2b$") || $0.hasPrefix("$2a$") || $0.hasPrefix("$2y$") })
    }

    @Test("API tokens: scopes checked, shown once, listed without the secret, revocable, last use recorded")
    func tokens() async throws {
        let fixture = try await Fixture()
        await expectBusError(.invalid) {
            _ = try await fixture.store.createToken(
                CreateTokenRequest(name: "pbx", scopes: ["telephony:everything"]), headers: Fixture.boss)
        }
        await expectBusError(.invalid) {
            _ = try await fixture.store.createToken(CreateTokenRequest(name: "pbx", scopes: []), headers: Fixture.boss)
        }
        let created = try await fixture.store.createToken(
            CreateTokenRequest(name: "Office PBX", scopes: [Scope.telephonyIngest]), headers: Fixture.boss)
        #expect(created.token.hasPrefix("crm_") && created.info.prefix == String(created.token.prefix(10)))
        let principal = try await fixture.store.verify(TokenRequest(token: created.token))
        #expect(principal.has(Scope.telephonyIngest) && !principal.has(Scope.contactsRead))
        let listed = try await fixture.store.listTokens(ListTokensRequest(), headers: Fixture.boss)
        let entry = try #require(listed.first { $0.id == created.info.id })
        #expect(entry.lastUsedAt != nil)
        // A user cannot make or revoke tokens for someone else.
        await expectBusError(.forbidden) {
            _ = try await fixture.store.createToken(
                CreateTokenRequest(name: "x", scopes: [Scope.contactsRead], userId: 1), headers: Fixture.user)
        }
        await expectBusError(.forbidden) { _ = try await fixture.store.revokeToken(id: created.info.id, headers: Fixture.user) }
        let revoked = try await fixture.store.revokeToken(id: created.info.id, headers: Fixture.boss)
        #expect(revoked.revokedAt != nil)
        await expectBusError(.unauthorized) { _ = try await fixture.store.verify(TokenRequest(token: created.token)) }
        let events = try await fixture.events()
        #expect(events.contains(SettingsContract.Event.tokenCreated) && events.contains(SettingsContract.Event.tokenRevoked))
    }

    @Test("a token makes tokens only within its own scopes; a session (*) and the command line are not limited")
    func tokenScopesSubset() async throws {
        let fixture = try await Fixture()
        var narrow = Fixture.boss
        narrow.scopes = [Scope.account, Scope.telephonyIngest]
        await expectBusError(.forbidden) {
            _ = try await fixture.store.createToken(
                CreateTokenRequest(name: "escalate", scopes: [Scope.telephonyIngest, Scope.settingsWrite]), headers: narrow)
        }
        _ = try await fixture.store.createToken(CreateTokenRequest(name: "same", scopes: [Scope.telephonyIngest]), headers: narrow)
        var session = Fixture.boss
        session.scopes = [Scope.all]
        _ = try await fixture.store.createToken(CreateTokenRequest(name: "any", scopes: [Scope.settingsWrite]), headers: session)
        _ = try await fixture.store.createToken(CreateTokenRequest(name: "cli", scopes: [Scope.settingsWrite]), headers: Fixture.boss)
    }
}
