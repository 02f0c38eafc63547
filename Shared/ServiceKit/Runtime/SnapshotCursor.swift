/// The cursor of a snapshot that walks several tables in turn: `<phase>:<last id>`.
public enum SnapshotCursor {
    /// The phase and the last id read in it; the start for nil or anything unreadable.
    public static func parse(_ cursor: String?) -> (phase: Int, after: Int64) {
        guard let cursor, let colon = cursor.firstIndex(of: ":"), let phase = Int(cursor[..<colon]),
            let after = Int64(cursor[cursor.index(after: colon)...])
        else { return (0, 0) }
        return (phase, after)
    }

    /// The cursor after a page of `phase` that ended at `lastId`: the same phase while pages come
    /// full, else the next phase (nil past `phases`).
    public static func next(phase: Int, of phases: Int, lastId: Int64?, full: Bool) -> String? {
        if full, let lastId { return "\(phase):\(lastId)" }
        return phase + 1 < phases ? "\(phase + 1):0" : nil
    }
}
