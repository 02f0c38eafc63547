import Foundation
import GRDB

/// Fills a contacts database with plausible people and companies, deterministically (the same
/// rows every run), in large transactions. It writes the tables the contacts service's
/// migrations made, including the trigram search tables, as the service itself would.
struct Seeder {
    let queue: DatabaseQueue
    private(set) var samples = Samples()
    private var random = SplitMix(seed: 42)

    struct Samples {
        var emails: [String] = []
        var phones: [String] = []
        var rareNames: [String] = []
    }

    static let firstNames = [
        "Kari", "Ola", "Ingrid", "Lars", "Anne", "Per", "Marit", "Jon", "Liv", "Knut", "Sigrid", "Erik", "Nina", "Hans", "Eva",
        "Bjørn", "Hilde", "Tor", "Silje", "Arne", "Emma", "Noah", "Olivia", "Liam", "Sofie", "Jakob", "Nora", "Emil", "Ella",
        "Lukas", "Maja", "Oskar", "Sara", "Filip", "Ida", "Henrik", "Thea", "Magnus", "Julie", "Sander", "John", "Mary", "James",
        "Linda", "Robert", "Susan", "Michael", "Karen", "David", "Lisa", "Keith", "Anna", "Peter", "Helen", "Mark", "Laura",
    ]
    static let lastNames = [
        "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Jensen", "Karlsen", "Johnsen",
        "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen", "Johannessen", "Andreassen", "Jacobsen", "Dahl", "Jørgensen", "Halvorsen",
        "Henriksen", "Lund", "Sørensen", "Jakobsen", "Moen", "Gundersen", "Iversen", "Strand", "Solberg", "Svendsen", "Eide",
        "Knutsen", "Martinsen", "Paulsen", "Bakken", "Kristoffersen", "Mathisen", "Lie", "Smith", "Jones", "Brown", "Taylor",
        "Wilson", "Whitfield", "Keith", "Smithson", "Clark", "Walker",
    ]
    static let syllables = [
        "ka", "vor", "le", "min", "to", "ras", "bu", "fjel", "dal", "gra", "nes", "vik", "ø", "sæ", "tu", "rem", "qu", "zy",
    ]
    static let companyWords = [
        "Nordic", "Fjord", "Tech", "Consult", "Bygg", "Marine", "Data", "Energi", "Handel", "Transport", "Solutions", "Group",
        "Partners", "Invest", "Media", "Health", "Logistics", "Design", "Systems", "Foods",
    ]

    /// The contacts service's search rows have rowid 2^40 - id (its SearchIndex), newest first.
    static func searchRowid(_ id: Int) -> Int { (1 << 40) - id }

    init(path: String) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = OFF") }
        queue = try DatabaseQueue(path: path, configuration: configuration)
    }

    /// The samples of a database seeded earlier (the rows `seed` picks: every 50,000th from the 7th).
    mutating func loadSamples() throws {
        samples = try queue.read { db in
            var samples = Samples()
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT c.last_name, e.address, p.number FROM contact c JOIN contact_email e ON e.contact_id = c.id
                    JOIN contact_phone p ON p.contact_id = c.id WHERE c.id % 50000 = 7 ORDER BY c.id
                    """)
            {
                let address: String = row["address"], last: String = row["last_name"]
                samples.emails.append(String(address.prefix(while: { $0 != "@" })))
                samples.phones.append(row["number"])
                if !Self.lastNames.contains(last) { samples.rareNames.append(last) }
            }
            if samples.rareNames.isEmpty { samples.rareNames = ["Kavorle"] }
            return samples
        }
    }

    /// Seeds and answers the seconds it took.
    mutating func seed(contacts: Int, companies: Int) throws -> Double {
        let start = nanoseconds()
        let batch = 20_000
        let stamp = "2026-01-01 00:00:00.000"
        var id = 0
        while id < contacts {
            let end = min(contacts, id + batch)
            var rows: [(Int, String, String, String, String, String)] = []
            for n in (id + 1)...end {
                let first = Self.firstNames[random.next(Self.firstNames.count)]
                let rare = random.next(10) < 3
                let last =
                    rare
                    ? (0..<3).map { _ in Self.syllables[random.next(Self.syllables.count)] }.joined().capitalized
                    : Self.lastNames[random.next(Self.lastNames.count)]
                let email = "\(first).\(last)\(n)@example.no".lowercased()
                let phone = String(format: "9%02d %02d %03d", random.next(100), random.next(100), random.next(1000))
                let city = ["Oslo", "Bergen", "Trondheim", "Stavanger", "Tromsø"][random.next(5)]
                rows.append((n, first, last, email, phone, city))
                if n % 50_000 == 7 {
                    samples.emails.append(String(email.prefix(while: { $0 != "@" })))
                    samples.phones.append(phone)
                    if rare { samples.rareNames.append(last) }
                }
            }
            try queue.inTransaction { db in
                let contact = try db.makeStatement(
                    sql: "INSERT INTO contact (id, first_name, last_name, city, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)")
                let phone = try db.makeStatement(
                    sql: "INSERT INTO contact_phone (contact_id, position, number, e164, kind) VALUES (?, 0, ?, ?, 'mobile')")
                let email = try db.makeStatement(
                    sql: "INSERT INTO contact_email (contact_id, position, address, kind) VALUES (?, 0, ?, 'work')")
                let search = try db.makeStatement(
                    sql: "INSERT INTO contact_search (rowid, name, emails, phones) VALUES (?, ?, ?, ?)")
                let plain = try db.makeStatement(sql: "INSERT INTO contact_plain (rowid, plain) VALUES (?, ?)")
                for (n, first, last, address, number, city) in rows {
                    let e164 = "+47" + number.filter(\.isNumber)
                    try contact.execute(arguments: [n, first, last, city, stamp, stamp])
                    try phone.execute(arguments: [n, number, e164])
                    try email.execute(arguments: [n, address])
                    try search.execute(arguments: [Self.searchRowid(n), "\(first) \(last)", address, e164])
                    if TextFold.differs("\(first) \(last)") {
                        try plain.execute(arguments: [Self.searchRowid(n), TextFold.plain("\(first) \(last)")])
                    }
                }
                return .commit
            }
            id = end
        }
        if samples.rareNames.isEmpty { samples.rareNames = ["Kavorle"] }
        var companyId = 0
        while companyId < companies {
            let end = min(companies, companyId + batch)
            try queue.inTransaction { db in
                let company = try db.makeStatement(
                    sql: """
                        INSERT INTO company (id, name, organisation_number, kinds, city, created_at, updated_at)
                        VALUES (?, ?, ?, '["customer"]', ?, ?, ?)
                        """)
                let search = try db.makeStatement(
                    sql: "INSERT INTO company_search (rowid, name, numbers, emails, phones) VALUES (?, ?, ?, '', '')")
                let plain = try db.makeStatement(sql: "INSERT INTO company_plain (rowid, plain) VALUES (?, ?)")
                for n in (companyId + 1)...end {
                    let name =
                        "\(Self.companyWords[random.next(20)]) \(Self.companyWords[random.next(20)]) \(Self.lastNames[random.next(Self.lastNames.count)]) AS"
                    let org = String(format: "%03d %03d %03d", 800 + random.next(200), random.next(1000), random.next(1000))
                    try company.execute(arguments: [n, name, org, ["Oslo", "Bergen"][random.next(2)], stamp, stamp])
                    try search.execute(arguments: [Self.searchRowid(n), name, org.filter(\.isNumber)])
                    if TextFold.differs(name) { try plain.execute(arguments: [Self.searchRowid(n), TextFold.plain(name)]) }
                }
                return .commit
            }
            companyId = end
        }
        try queue.writeWithoutTransaction { db in try db.execute(sql: "ANALYZE; PRAGMA wal_checkpoint(TRUNCATE)") }
        return Double(nanoseconds() - start) / 1_000_000_000
    }
}

/// A small deterministic random number generator (SplitMix64).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Int(z % UInt64(bound))
    }
}
