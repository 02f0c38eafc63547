import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The file area through HTTP: streamed upload and download, folders, the size limit, a picture.
@Suite("End to end: file area", .serialized)
struct FileAreaTests {
    func upload(_ system: SystemUnderTest, _ path: String, _ data: Data, type: String) async throws -> (Int, [String: Any]?) {
        var request = URLRequest(url: URL(string: system.baseURL + path)!)
        request.httpMethod = "POST"
        request.httpBody = data
        request.setValue(type, forHTTPHeaderField: "Content-Type")
        request.setValue("Bearer \(system.token!)", forHTTPHeaderField: "Authorization")
        let (body, response) = try await SystemUnderTest.session.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, try? JSONSerialization.jsonObject(with: body) as? [String: Any])
    }

    @Test("a 3 MB file goes up and comes back byte for byte; same bytes are stored once; 413 past the limit")
    func uploadDownload() async throws {
        let system = try SystemUnderTest()
        system.extraEnvironment["CRM_FILES_MAX_BYTES"] = String(4 << 20)
        defer { system.shutdown() }
        try await system.startAll()
        let (_, contact) = try await system.http("POST", "/api/v1/contacts", json: ["first_name": "Kari", "last_name": "Nordmann"])
        let kari = try #require((contact as? [String: Any])?["id"] as? Int)
        let (made, folder) = try await system.http("POST", "/api/v1/contacts/\(kari)/folders", json: ["name": "Contracts"])
        #expect(made == 201)
        let folderId = try #require((folder as? [String: Any])?["id"] as? Int)

        var bytes = Data(count: 3 * 1024 * 1024 + 123)
        for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 31 &+ index >> 8) }
        let (status, stored) = try await upload(
            system, "/api/v1/contacts/\(kari)/files?name=contract%201.pdf&folder_id=\(folderId)", bytes, type: "application/pdf")
        #expect(status == 201, "\(String(describing: stored))")
        let fileId = try #require(stored?["id"] as? Int)
        #expect(stored?["size"] as? Int == bytes.count && stored?["folder_id"] as? Int == folderId)

        var download = URLRequest(url: URL(string: system.baseURL + "/api/v1/files/\(fileId)/content")!)
        download.setValue("Bearer \(system.token!)", forHTTPHeaderField: "Authorization")
        let (back, response) = try await SystemUnderTest.session.data(for: download)
        #expect(back == bytes)
        #expect((response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Type") == "application/pdf")
        #expect((response as? HTTPURLResponse)?.value(forHTTPHeaderField: "X-Content-Type-Options") == "nosniff")
        #expect(
            (response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Disposition")
                == "attachment; filename=\"contract 1.pdf\"; filename*=UTF-8''contract%201.pdf")
        // A name with quotes and non-ASCII letters: an ASCII fallback and the UTF-8 name (RFC 8187).
        let odd = "Blåbær \"avtale\" 2026.pdf".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let (oddStatus, oddFile) = try await upload(
            system, "/api/v1/contacts/\(kari)/files?name=\(odd)", Data("x".utf8), type: "application/pdf")
        #expect(oddStatus == 201)
        let oddId = try #require(oddFile?["id"] as? Int)
        var oddDownload = URLRequest(url: URL(string: system.baseURL + "/api/v1/files/\(oddId)/content")!)
        oddDownload.setValue("Bearer \(system.token!)", forHTTPHeaderField: "Authorization")
        let (_, oddResponse) = try await SystemUnderTest.session.data(for: oddDownload)
        #expect(
            (oddResponse as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Disposition")
                == "attachment; filename=\"Bl_b_r _avtale_ 2026.pdf\"; filename*=UTF-8''Bl%C3%A5b%C3%A6r%20%22avtale%22%202026.pdf")
        #expect(try await system.http("DELETE", "/api/v1/files/\(oddId)").0 == 200)

        // The same bytes again: a second file, one stored content.
        let (again, _) = try await upload(system, "/api/v1/contacts/\(kari)/files?name=copy.pdf", bytes, type: "application/pdf")
        #expect(again == 201)
        let blobs =
            FileManager.default.enumerator(atPath: system.folder.appendingPathComponent("data/contacts/files").path)?
            .compactMap { $0 as? String }.filter { ($0 as NSString).lastPathComponent.count == 64 } ?? []
        #expect(blobs.count == 1)

        let (tooLarge, problem) = try await upload(
            system, "/api/v1/contacts/\(kari)/files?name=big.bin", Data(count: 5 << 20), type: "application/octet-stream")
        #expect(tooLarge == 413, "\(String(describing: problem))")

        // Rename, list, picture, delete.
        let (renamed, _) = try await system.http("PATCH", "/api/v1/files/\(fileId)", json: ["name": "signed.pdf", "folder_id": 0])
        #expect(renamed == 200)
        let area = try await system.getObject("/api/v1/contacts/\(kari)/files")
        #expect(Set((area["files"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []) == ["signed.pdf", "copy.pdf"])
        let (notImage, _) = try await system.http("PATCH", "/api/v1/contacts/\(kari)", json: ["picture_file_id": fileId])
        #expect(notImage == 409)
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + Data(count: 100)
        let (_, picture) = try await upload(system, "/api/v1/contacts/\(kari)/files?name=kari.png", png, type: "image/png")
        let pictureId = try #require(picture?["id"] as? Int)
        let (set, withPicture) = try await system.http("PATCH", "/api/v1/contacts/\(kari)", json: ["picture_file_id": pictureId])
        #expect(set == 200 && (withPicture as? [String: Any])?["picture_file_id"] as? Int == pictureId)
        #expect(try await system.http("DELETE", "/api/v1/files/\(fileId)").0 == 200)
        #expect(try await system.http("GET", "/api/v1/files/\(fileId)").0 == 404)
    }
}
