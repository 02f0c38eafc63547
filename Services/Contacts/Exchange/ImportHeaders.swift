import Foundation

/// The header rows people's exports have, recognised without a mapping: Google Contacts,
/// Outlook (English and Norwegian), HubSpot, Pipedrive, EspoCRM, 24SevenOffice, and common
/// English, Norwegian and Polish headers. A header is compared in a plain form: lower case,
/// accents and Nordic or Polish letters folded (`Imię` is `imie`, `Fødselsdato` `fodselsdato`),
/// anything but letters a word break, numbers dropped (`E-mail 2 - Value` is `e mail value`).
enum ImportHeaders {
    /// The field a header names among `known`, or nil.
    static func field(_ header: String, known: Set<String>) -> String? {
        let key = plain(header)
        if known.contains(key.replacingOccurrences(of: " ", with: "_")) { return key.replacingOccurrences(of: " ", with: "_") }
        guard let field = (known.contains("first_name") ? contactHeaders : companyHeaders)[key] else { return nil }
        return known.contains(field) ? field : nil
    }

    /// `E-mail 2 - Value` as `e mail value`; `Imię` as `imie`.
    static func plain(_ header: String) -> String {
        TextFold.plain(header).split { !($0.isLetter && $0.isASCII) }.joined(separator: " ")
    }

    static let contactHeaders: [String: String] = {
        var map: [String: String] = [:]
        func add(_ field: String, _ headers: [String]) { for header in headers { map[header] = field } }
        add(
            "first_name",
            [
                "first name", "firstname", "given name", "forename", "first", "fornavn", "imie", "person first name", "contact first name",
            ])
        add(
            "last_name",
            [
                "last name", "lastname", "family name", "surname", "last", "etternavn", "nazwisko", "person last name", "contact last name",
            ])
        add("name", ["name", "full name", "navn", "fullt navn", "person name", "contact name", "display name", "imie i nazwisko"])
        add(
            "email",
            [
                "email", "e mail", "email address", "e mail address", "e mail value", "email value", "e post", "epost", "e postadresse",
                "e post adresse", "person email", "person email work", "email work", "adres e mail", "adres email", "poczta e mail",
                "mail", "e post arbeid",
            ])
        add("home_email", ["person email home", "email home", "e mail home", "private email", "e post privat", "privat e post"])
        add("other_email", ["person email other", "email other", "e mail other"])
        add(
            "phone",
            [
                "phone", "telephone", "phone number", "phone value", "business phone", "work phone", "company main phone",
                "primary phone", "telefon", "telefon arbeid", "telefonnummer", "tlf", "person phone", "person phone work",
                "numer telefonu", "telefon stacjonarny", "office phone", "phone work", "tel", "telefon sluzbowy",
                "assistant s phone", "callback", "car phone", "isdn", "radio phone", "telex", "tty tdd phone",
            ])
        add(
            "home_phone",
            [
                "home phone", "phone home", "person phone home", "telefon privat", "privat telefon", "hjemmetelefon", "telefon hjem",
                "telefon domowy", "private phone", "personal phone",
            ])
        add("fax", ["fax", "business fax", "home fax", "other fax", "fax number", "telefaks", "faks", "faksnummer", "telefax"])
        add("other_phone", ["other phone", "person phone other", "phone other", "annen telefon", "inny telefon", "pager"])
        add(
            "notes",
            [
                "notes", "note", "comments", "comment", "notater", "notat", "merknad", "merknader", "kommentar", "kommentarer",
                "notatki", "uwagi", "person notes", "contact notes", "description",
            ])
        add(
            "website",
            ["website", "web site", "web page", "personal web page", "web", "url", "hjemmeside", "nettside", "strona www", "website value"])
        add(
            "mobile",
            [
                "mobile", "mobile phone", "mobile phone number", "mobile number", "cell", "cell phone", "mobil", "mobiltelefon",
                "mobilnummer", "mobiltlf", "telefon komorkowy", "komorka", "person phone mobile", "phone mobile",
            ])
        add(
            "title",
            [
                "title", "job title", "position", "stilling", "tittel", "stanowisko", "organization title", "person job title",
            ])
        add(
            "company",
            [
                "company", "company name", "organization", "organisation", "organization name", "organisation name", "account name",
                "account", "firma", "firmanavn", "bedrift", "person organization", "organization name", "nazwa firmy",
            ])
        add(
            "street",
            [
                "street", "address", "street address", "address street", "business street", "home street", "adresse", "gateadresse",
                "gateadresse arbeid", "postadresse", "besoksadresse", "ulica", "adres",
            ])
        add(
            "postal_code",
            [
                "postal code", "zip", "zip code", "postcode", "postnr", "postnummer", "business postal code", "home postal code",
                "postnummer arbeid", "address postal code", "kod pocztowy",
            ])
        add(
            "city",
            [
                "city", "town", "poststed", "sted", "miasto", "miejscowosc", "business city", "home city", "poststed arbeid",
                "address city",
            ])
        add(
            "country",
            [
                "country", "country region", "land", "land region", "kraj", "business country region", "home country region",
                "address country", "land region arbeid",
            ])
        add(
            "birthday", ["birthday", "birth date", "date of birth", "birthdate", "fodselsdato", "fodselsdag", "data urodzenia", "urodziny"])
        add(
            "organisation_number",
            [
                "organisation number", "organization number", "org number", "orgnr", "org nr", "organisasjonsnummer", "orgnummer",
            ])
        return map
    }()

    /// Outlook's `Title` (and Norwegian Outlook's `Tittel`) is the salutation ("Mr."), its
    /// `Job Title` (`Stilling`) the title: where a file has both, the salutation is not imported.
    static func dropSalutation(_ headers: [String], _ columns: inout [Int: String]) {
        let titles = columns.filter { $0.value == "title" }.map(\.key)
        guard titles.count > 1 else { return }
        for index in titles where ["title", "tittel", "salutation"].contains(plain(headers[index])) { columns[index] = nil }
    }

    /// For each e-mail or phone column whose kind is in a column beside it (Google's
    /// `E-mail 1 - Value` and `E-mail 1 - Type` or `- Label`), that column's index.
    static func kindColumns(_ headers: [String], _ columns: [Int: String]) -> [Int: Int] {
        var found: [Int: Int] = [:]
        for (index, field) in columns where field == "email" || field == "phone" {
            let header = headers[index].trimmingCharacters(in: .whitespaces)
            guard header.lowercased().hasSuffix("value") else { continue }
            // `Type` in Google's older exports, `Label` in those since 2023.
            let names = ["type", "label"].map { header.dropLast(5).lowercased() + $0 }
            if let typeIndex = headers.firstIndex(where: { names.contains($0.trimmingCharacters(in: .whitespaces).lowercased()) }) {
                found[index] = typeIndex
            }
        }
        return found
    }

    /// The values of a cell with the kind of each: Google writes several as `a ::: b` and their
    /// kinds the same way (`* Home ::: Work`; the star marks the primary one); one kind for all
    /// when the counts differ.
    static func kinds(of value: String, types: String) -> [(value: String, kind: String)] {
        func split(_ text: String) -> [String] {
            text.components(separatedBy: ":::").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        let values = split(value), kinds = split(types).map { TextFold.plain($0).filter { $0 != "*" }.trimmingCharacters(in: .whitespaces) }
        return values.enumerated().map { index, item in (item, kinds.count == values.count ? kinds[index] : kinds.first ?? "") }
    }

    /// The import field of an e-mail address or phone number of a kind as exports name kinds.
    static func field(_ field: String, ofKind kind: String) -> String {
        if field == "email" {
            if kind.contains("home") || kind.contains("private") || kind.contains("personal") { return "home_email" }
            if kind.contains("other") { return "other_email" }
            return "email"
        }
        if kind.contains("fax") { return "fax" }
        if kind.contains("mobile") || kind.contains("cell") { return "mobile" }
        if kind.contains("home") || kind.contains("private") { return "home_phone" }
        if kind.contains("other") || kind.contains("pager") { return "other_phone" }
        return "phone"
    }

    static let companyHeaders: [String: String] = {
        var map: [String: String] = [:]
        func add(_ field: String, _ headers: [String]) { for header in headers { map[header] = field } }
        add(
            "name",
            [
                "name", "company", "company name", "organization", "organisation", "organization name", "account name", "firma",
                "firmanavn", "bedrift", "navn", "nazwa", "nazwa firmy",
            ])
        add(
            "organisation_number",
            [
                "organisation number", "organization number", "org number", "orgnr", "org nr", "organisasjonsnummer", "orgnummer",
            ])
        add("email", ["email", "e mail", "email address", "e post", "epost", "e postadresse", "adres e mail"])
        add("phone", ["phone", "telephone", "phone number", "telefon", "tlf", "telefonnummer", "numer telefonu"])
        add("website", ["website", "web", "web page", "url", "homepage", "nettside", "hjemmeside", "strona www", "strona"])
        add("street", ["street", "address", "street address", "adresse", "gateadresse", "postadresse", "ulica", "adres"])
        add("postal_code", ["postal code", "zip", "zip code", "postcode", "postnr", "postnummer", "kod pocztowy"])
        add("city", ["city", "town", "poststed", "sted", "miasto", "miejscowosc"])
        add("country", ["country", "country region", "land", "kraj"])
        add("industry", ["industry", "bransje", "branza"])
        add("notes", ["notes", "note", "comments", "notater", "notat", "merknad", "kommentar", "notatki", "uwagi", "description"])
        return map
    }()

    /// The fields a file may give in several columns or cells: every value is kept.
    static let multiValued: Set<String> = [
        "email", "home_email", "other_email", "phone", "mobile", "home_phone", "fax", "other_phone", "categories", "notes",
    ]
}

/// Dates as exports write them. A column's form is the first of `forms` that reads most of its
/// values (US `M/D/YYYY` before `D/M/YYYY` when every day is 12 or less, as Outlook writes them).
enum ImportDates {
    static let forms = ["YYYY-MM-DD", "D.M.YYYY", "M/D/YYYY", "D/M/YYYY", "DD.MM.YY"]

    /// `YYYY-MM-DD` of `text` read in `form`, or nil.
    static func read(_ text: String, form: String) -> String? {
        let separator: Character = form.contains("/") ? "/" : form.contains(".") ? "." : "-"
        let parts = text.split(separator: separator, omittingEmptySubsequences: false).map { String($0) }
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.count <= 4 && $0.allSatisfy(\.isASCII) && Int($0) != nil }) else {
            return nil
        }
        let numbers = parts.map { Int($0)! }
        var (year, month, day): (Int, Int, Int)
        switch form {
        case "YYYY-MM-DD":
            guard parts[0].count == 4, parts[1].count == 2, parts[2].count == 2 else { return nil }
            (year, month, day) = (numbers[0], numbers[1], numbers[2])
        case "M/D/YYYY": (year, month, day) = (numbers[2], numbers[0], numbers[1])
        case "D/M/YYYY", "D.M.YYYY": (year, month, day) = (numbers[2], numbers[1], numbers[0])
        case "DD.MM.YY":
            guard parts[2].count == 2 else { return nil }
            // Two digits: a year not after this one's two digits is this century's.
            let now = Calendar(identifier: .gregorian).component(.year, from: Date()) % 100
            (year, month, day) = (numbers[2] <= now ? 2000 + numbers[2] : 1900 + numbers[2], numbers[1], numbers[0])
        default: return nil
        }
        if form != "DD.MM.YY" && form != "YYYY-MM-DD" && parts[2].count != 4 { return nil }
        guard (1...12).contains(month), day >= 1, (1800...2200).contains(year) else { return nil }
        let length = [31, (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][
            month - 1]
        guard day <= length else { return nil }
        return String(format: "%04d-%02d-%02d", year, month, day)
    }

    /// What an export writes for "no date" (Outlook: `0/0/00`).
    static func isEmpty(_ text: String) -> Bool {
        text.isEmpty || text.allSatisfy { $0 == "0" || $0 == "/" || $0 == "." || $0 == "-" }
    }

    /// The form that reads most of `values`; nil when they are all empty.
    static func detect(_ values: [String]) -> String? {
        let given = values.filter { !isEmpty($0) }
        guard !given.isEmpty else { return nil }
        var best: (form: String, count: Int)?
        for form in forms {
            let count = given.count { read($0, form: form) != nil }
            if count > (best?.count ?? 0) { best = (form, count) }
        }
        return best?.form ?? forms[0]
    }
}

/// Countries as exports name them (`Norway`, `Norge`, `Polska`, `United States`, `NO`): the
/// ISO 3166 code the address keeps.
enum ImportCountries {
    static func code(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.count == 2, trimmed.allSatisfy({ $0.isASCII && $0.isLetter }) {
            let upper = trimmed.uppercased()
            return names.values.contains(upper) ? upper : nil
        }
        return names[ImportHeaders.plain(trimmed)]
    }

    /// Plain names in English, Norwegian and Polish, and a few everyday ones, to codes.
    static let names: [String: String] = {
        var map: [String: String] = [:]
        let languages = ["en", "nb", "nn", "pl", "sv", "da", "de"].map { Locale(identifier: $0) }
        for region in Locale.Region.isoRegions where region.identifier.count == 2 && region.identifier.allSatisfy(\.isLetter) {
            let code = region.identifier
            for language in languages {
                if let name = language.localizedString(forRegionCode: code) { map[ImportHeaders.plain(name)] = code }
            }
        }
        for (name, code) in [
            ("usa", "US"), ("us", "US"), ("united states of america", "US"), ("uk", "GB"), ("england", "GB"), ("great britain", "GB"),
            ("holland", "NL"), ("polen", "PL"),
        ] {
            map[name] = code
        }
        return map
    }()
}
