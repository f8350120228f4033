/// Where each step's output lives in the session's arena. A buffer is needed from the step that
/// writes it to the last step that reads it (the model's output to the end), so buffers whose
/// lifetimes do not overlap share memory. Per sample, mini-Xception's activations go from
/// 1.46 MB to 0.58 MB, the bundled model's from 0.94 MB to 0.44 MB: a pass stays in a 1 MB L2
/// cache instead of streaming every layer's output through L3 (2-5% faster), and a batch needs
/// less than half the memory.
struct BufferPlan {
    /// Per step: the step whose buffer holds its output (itself; for an alias, its input's; for
    /// a step run in place, its input's).
    let owner: [Int]
    /// Per owning step: its buffer's offset in floats per sample (multiply by the batch).
    let offset: [Int]
    /// Per step: where its scratch lies, in floats per sample (0 for a step without scratch).
    let scratchOffset: [Int]
    /// Floats per sample the buffers and scratch need in all.
    let floatsPerSample: Int

    /// `sizes[i]`: floats per sample of step i's output if it owns a buffer (ignored otherwise);
    /// `isAlias[i]`: step i's output is its first input's buffer (step 0, the input, never is).
    ///
    /// `inPlace[i]`: step i reads its one input before it writes any output, so its output may
    /// take the input's buffer when no later step reads that buffer and it is large enough.
    /// `scratch[i]`: floats per sample step i needs while it runs, and only then: placed like a
    /// buffer alive during step i alone, in memory no buffer uses at that step. YuNet at 640 x
    /// 384 needs 8 MB instead of 12 so: the depthwise convolutions of its full-resolution maps
    /// run in place, their padded copies where the pointwise steps around them keep nothing.
    init(inputs: [[Int]], isAlias: [Bool], sizes: [Int], outputStep: Int, inPlace: [Bool]? = nil, scratch: [Int]? = nil) {
        let count = inputs.count
        var owner = Array(0..<count)
        func followAliases(after first: Int) {
            for step in (first + 1)..<max(count, first + 1) where isAlias[step] { owner[step] = owner[inputs[step][0]] }
        }
        followAliases(after: 0)
        // Last step reading each buffer; the model's output lives to the end.
        func lastUses() -> [Int] {
            var lastUse = Array(0..<count)
            for step in 0..<count {
                for input in inputs[step] { lastUse[owner[input]] = max(lastUse[owner[input]], step) }
            }
            if count > 0 { lastUse[owner[outputStep]] = count }
            return lastUse
        }
        if let inPlace {
            for step in 1..<max(count, 1) where inPlace[step] && !isAlias[step] && inputs[step].count == 1 {
                let source = owner[inputs[step][0]]
                guard lastUses()[source] == step, sizes[step] <= sizes[source] else { continue }
                owner[step] = source
                followAliases(after: step)
            }
        }
        let lastUse = lastUses()

        let buffers = (0..<count).filter { owner[$0] == $0 }
            .map { PlanItem(size: sizes[$0], first: $0, last: lastUse[$0]) }
        let scratch = scratch ?? []
        let scratchSteps = scratch.indices.filter { scratch[$0] > 0 }
        let scratchItems = scratchSteps.map { PlanItem(size: scratch[$0], first: $0, last: $0) }
        let alone = Self.place(buffers)
        // Greedy placement is not optimal, so the best of three: every item at its own size;
        // sizes within 4% of each other rounded up to the largest (a chain of maps alternating
        // with the slightly larger padded copies of depthwise steps then fits in two slots, as
        // in YuNet, where exact sizes need three); the buffers with one scratch area after them
        // all (the layout before scratch was planned).
        let all = buffers + scratchItems
        var placed = Self.place(all)
        let rounded = Self.place(Self.roundedUp(all, within: 1.04))
        if rounded.total < placed.total { placed = rounded }
        let separate = alone.total + (scratch.max() ?? 0)
        if placed.total > separate {
            placed = (alone.offsets + scratchItems.map { _ in alone.total }, separate)
        }
        var offset = [Int](repeating: 0, count: count)
        for (item, step) in zip(placed.offsets, (0..<count).filter { owner[$0] == $0 }) { offset[step] = item }
        var scratchOffset = [Int](repeating: 0, count: count)
        for (item, step) in zip(placed.offsets.dropFirst(buffers.count), scratchSteps) { scratchOffset[step] = item }
        self.owner = owner
        self.offset = offset
        self.scratchOffset = scratchOffset
        floatsPerSample = placed.total
    }

    /// `items` with each size raised to the largest size of any item that is at most `factor`
    /// times it.
    private static func roundedUp(_ items: [PlanItem], within factor: Double) -> [PlanItem] {
        let sizes = Set(items.map(\.size)).sorted()
        return items.map { item in
            let largest = sizes.last { Double($0) <= Double(item.size) * factor } ?? item.size
            return PlanItem(size: max(item.size, largest), first: item.first, last: item.last)
        }
    }

    /// Offsets for `items`, in their order, largest first each at the lowest offset clear of
    /// every item placed before it alive at the same time; and the floats they span.
    private static func place(_ items: [PlanItem]) -> (offsets: [Int], total: Int) {
        let order = items.indices.sorted { (items[$0].size, $1) > (items[$1].size, $0) }
        var offsets = [Int](repeating: 0, count: items.count)
        var placed: [Int] = []
        var total = 0
        for index in order {
            let item = items[index]
            let clashes = placed.filter { items[$0].first <= item.last && item.first <= items[$0].last }
                .map { (start: offsets[$0], end: offsets[$0] + items[$0].size) }
                .sorted { $0.start < $1.start }
            var candidate = 0
            for clash in clashes {
                if candidate + item.size <= clash.start { break }
                candidate = max(candidate, clash.end)
            }
            offsets[index] = candidate
            placed.append(index)
            total = max(total, candidate + item.size)
        }
        return (offsets, total)
    }
}

/// A buffer, or a step's scratch, to place: `size` floats per sample, alive from step `first`
/// to step `last`.
private struct PlanItem {
    let size: Int
    let first: Int
    let last: Int
}
