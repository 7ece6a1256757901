using Ember.Models.Onnx;

namespace Ember.Models.Writing;

/// <summary>
/// The nodes of a graph that takes <c>query_seqlens</c> (<see cref="LlamaGraphBuilder.QuerySeqlensName"/>): the valid
/// tokens of each right-padded row, and the packing that runs every per-token node (embedding, norms, projections,
/// MLP) on the valid tokens alone, [1, N, width]; only <c>GroupQueryAttention</c> sees the padded rows [rows, S, width].
/// A step of 16 decode rows and one 64-token chunk so costs 80 tokens of projections, not 17 × 64.
/// </summary>
/// <remarks>Not thread-safe; one per graph, used while it is built.</remarks>
internal sealed class PackedRows
{
    private const string Prefix = "/model/packed_rows";

    private readonly OnnxGraph _graph;
    private readonly string _input;
    private readonly string _inputShape;
    private readonly string _packed;
    private readonly string _unpack;

    private PackedRows(OnnxGraph graph, string input, string inputShape, string queryLengths, string packed, string unpack)
    {
        _graph = graph;
        _input = input;
        _inputShape = inputShape;
        QueryLengths = queryLengths;
        _packed = packed;
        _unpack = unpack;
    }

    /// <summary>
    /// Gets the valid tokens of each row as <c>GroupQueryAttention</c> takes them (int32 [rows]): the fed
    /// <c>query_seqlens</c>, or where it holds its default -1, min(S, <c>seqlens_k</c> + 1), the operator's own default.
    /// </summary>
    public string QueryLengths { get; }

    /// <summary>
    /// Declares the input (an overridable initializer holding -1, so a caller that does not feed it, ORT GenAI, gets the
    /// model builder's behaviour) and the packing of <paramref name="inputIds"/> [rows, S] by it.
    /// </summary>
    public static PackedRows Build(OnnxGraph graph, string inputIds, string seqlensK)
    {
        graph.Input(LlamaGraphBuilder.QuerySeqlensName, OnnxDataType.Int32, "query_rows");
        var input = graph.Initializer(OnnxTensor.Int32(LlamaGraphBuilder.QuerySeqlensName, [1], [-1]));
        var inputShape = graph.Node("Shape", $"{Prefix}/InputShape", [inputIds]);
        var sequence = graph.Node("Gather", $"{Prefix}/Sequence", [inputShape, Int64(graph, "index_1", [], 1)], OnnxAttribute.Int("axis", 0));

        var total = graph.Node("Add", $"{Prefix}/Total", [seqlensK, graph.Initializer(OnnxTensor.Int32($"{Prefix}/one_i32", [], [1]))]);
        var whole = graph.Node("Min", $"{Prefix}/Whole", [graph.Node("Cast", $"{Prefix}/SequenceI32", [sequence], OnnxAttribute.Int("to", (int)OnnxDataType.Int32)), total]);
        var queryLengths = graph.Node("Where", $"{Prefix}/QueryLengths", [NotFed(graph, input, "NotFed"), whole, input]);

        // valid[b, s] = s < query_lengths[b]; packed: the flat indices b * S + s of the valid ones, in order;
        // unpack: for each flat position, its index among the packed (0 for a padding position, whose value is unused).
        var positions = graph.Node("Range", $"{Prefix}/Positions", [Int64(graph, "zero", [], 0), sequence, Int64(graph, "one", [], 1)]);
        var lengths = graph.Node("Unsqueeze", $"{Prefix}/LengthColumn", [graph.Node("Cast", $"{Prefix}/Lengths", [queryLengths], OnnxAttribute.Int("to", (int)OnnxDataType.Int64)), Int64(graph, "axes_1", [1], 1)]);
        var valid = graph.Node("Reshape", $"{Prefix}/ValidFlat", [graph.Node("Less", $"{Prefix}/Valid", [positions, lengths]), Int64(graph, "flat", [1], -1)]);
        var packed = graph.Node("Reshape", $"{Prefix}/Packed", [graph.Node("NonZero", $"{Prefix}/NonZero", [valid]), Int64(graph, "flat_b", [1], -1)]);
        var counted = graph.Node("CumSum", $"{Prefix}/Counted", [graph.Node("Cast", $"{Prefix}/ValidI64", [valid], OnnxAttribute.Int("to", (int)OnnxDataType.Int64)), Int64(graph, "axis_0", [], 0)]);
        var index = graph.Node("Sub", $"{Prefix}/Index", [counted, Int64(graph, "one_b", [], 1)]);
        var unpack = graph.Node("Where", $"{Prefix}/Unpack", [valid, index, Int64(graph, "zero_b", [], 0)]);
        return new PackedRows(graph, input, inputShape, queryLengths, packed, unpack);
    }

    /// <summary>The valid token ids of <paramref name="inputIds"/> [rows, S], packed: [1, N].</summary>
    public string PackIds(string inputIds) => PackValues("Ids", inputIds);

    /// <summary>Per-token values [rows, S] (named <paramref name="name"/> in node names), packed like the token ids: [1, N].</summary>
    public string PackValues(string name, string values)
    {
        var flat = _graph.Node("Reshape", $"{Prefix}/{name}Flat", [values, Int64(_graph, $"flat_{name}", [1], -1)]);
        return _graph.Node("Unsqueeze", $"{Prefix}/{name}", [_graph.Node("Gather", $"{Prefix}/{name}Packed", [flat, _packed], OnnxAttribute.Int("axis", 0)), Int64(_graph, $"axes_0_{name}", [1], 0)]);
    }

    /// <summary>Packed values [1, N, <paramref name="width"/>] laid out in the padded rows [rows, S, width].</summary>
    public string Pad(string name, string packed, long width)
    {
        var spread = _graph.Node("Gather", $"{name}/Pad", [packed, _unpack], OnnxAttribute.Int("axis", 1));
        var shape = _graph.Node("Concat", $"{name}/PadShape", [_inputShape, Int64(_graph, $"{name}/width", [1], width, prefixed: false)], OnnxAttribute.Int("axis", 0));
        return _graph.Node("Reshape", $"{name}/Padded", [spread, shape]);
    }

    /// <summary>Padded rows [rows, S, <paramref name="width"/>] packed to their valid positions: [1, N, width].</summary>
    public string Pack(string name, string padded, long width)
    {
        var flat = _graph.Node("Reshape", $"{name}/Flat", [padded, _graph.Initializer(OnnxTensor.Int64($"{name}/flat_shape", [3], [1, -1, width]))]);
        return _graph.Node("Gather", $"{name}/Pack", [flat, _packed], OnnxAttribute.Int("axis", 1));
    }

    /// <summary>
    /// Of packed final states [1, N, <paramref name="width"/>], the positions whose logits the caller asked for. When
    /// <c>query_seqlens</c> is fed: each row's last <c>logit_counts[b]</c> valid positions
    /// (<see cref="LlamaGraphBuilder.LogitCountsName"/>; one a row where it is not fed, an idle row getting another's), row
    /// after row, [P, 1, width]. When it is not fed: every position of the padded rows ([rows, S, width]; a padding
    /// position gets another's, which no caller reads).
    /// </summary>
    public string OutputPositions(string packed, long width)
    {
        const string prefix = Prefix + "/output";
        _graph.Input(LlamaGraphBuilder.LogitCountsName, OnnxDataType.Int32, "logit_rows");
        var counts = _graph.Initializer(OnnxTensor.Int32(LlamaGraphBuilder.LogitCountsName, [1], [-1]));
        var sequence = _graph.Node("Gather", $"{prefix}/Sequence", [_inputShape, Int64(_graph, "output/index_1", [], 1)], OnnxAttribute.Int("axis", 0));
        var positions = _graph.Node("Range", $"{prefix}/Positions", [Int64(_graph, "output/zero", [], 0), sequence, Int64(_graph, "output/one", [], 1)]);
        var lengths = _graph.Node("Cast", $"{prefix}/Lengths", [QueryLengths], OnnxAttribute.Int("to", (int)OnnxDataType.Int64));

        // Row b keeps positions [max(len − c, 0), max(len, c)): its last c valid ones, or position 0 for an idle row asked one.
        var fedCounts = _graph.Node("Cast", $"{prefix}/Counts", [counts], OnnxAttribute.Int("to", (int)OnnxDataType.Int64));
        var wanted = _graph.Node("Where", $"{prefix}/Wanted", [NotFed(_graph, counts, "output/CountsNotFed"), Int64(_graph, "output/one_c", [], 1), fedCounts]);
        var zero = Int64(_graph, "output/zero_b", [], 0);
        var first = _graph.Node("Max", $"{prefix}/First", [_graph.Node("Sub", $"{prefix}/FirstValid", [lengths, wanted]), zero]);
        var end = _graph.Node("Max", $"{prefix}/End", [lengths, wanted]);
        var axes = Int64(_graph, "output/axes_1", [1], 1);
        var fromFirst = _graph.Node("Not", $"{prefix}/FromFirst", [_graph.Node("Less", $"{prefix}/BeforeFirst", [positions, _graph.Node("Unsqueeze", $"{prefix}/FirstColumn", [first, axes])])]);
        var beforeEnd = _graph.Node("Less", $"{prefix}/BeforeEnd", [positions, _graph.Node("Unsqueeze", $"{prefix}/EndColumn", [end, axes])]);
        var isTail = _graph.Node("And", $"{prefix}/IsTail", [fromFirst, beforeEnd]);
        var notFed = NotFed(_graph, _input, "output/NotFed");
        var notFedColumn = _graph.Node("Unsqueeze", $"{prefix}/NotFedColumn", [notFed, Int64(_graph, "output/axes_1b", [1], 1)]);
        var keep = _graph.Node("Reshape", $"{prefix}/KeepFlat", [_graph.Node("Expand", $"{prefix}/Keep", [_graph.Node("Or", $"{prefix}/TailOrAll", [isTail, notFedColumn]), _inputShape]), Int64(_graph, "output/flat", [1], -1)]);
        var rows = _graph.Node("Compress", $"{prefix}/Rows", [_unpack, keep], OnnxAttribute.Int("axis", 0));
        var kept = _graph.Node("Gather", $"{prefix}/Kept", [packed, rows], OnnxAttribute.Int("axis", 1));

        // [rows, -1, width] for every position; [-1, 1, width], one position a row, when query_seqlens is fed.
        var batch = _graph.Node("Slice", $"{prefix}/Batch", [_inputShape, Int64(_graph, "output/start", [1], 0), Int64(_graph, "output/end", [1], 1)]);
        var allPositions = _graph.Node("Concat", $"{prefix}/AllShape", [batch, _graph.Initializer(OnnxTensor.Int64($"{prefix}/rest", [2], [-1, width]))], OnnxAttribute.Int("axis", 0));
        var onePerRow = _graph.Initializer(OnnxTensor.Int64($"{prefix}/one_per_row", [3], [-1, 1, width]));
        var anyNotFed = _graph.Node("Gather", $"{prefix}/FirstNotFed", [notFed, Int64(_graph, "output/index_0", [], 0)], OnnxAttribute.Int("axis", 0));
        var shape = _graph.Node("Where", $"{prefix}/Shape", [anyNotFed, allPositions, onePerRow]);
        return _graph.Node("Reshape", $"{prefix}/Reshape", [kept, shape]);
    }

    /// <summary>Whether the input holds its default (not fed): -1 is below 0.</summary>
    private static string NotFed(OnnxGraph graph, string input, string name) =>
        graph.Node("Less", $"{Prefix}/{name}", [input, graph.Initializer(OnnxTensor.Int32($"{Prefix}/{name}/zero", [], [0]))]);

    private static string Int64(OnnxGraph graph, string name, long[] dims, long value, bool prefixed = true) =>
        graph.Initializer(OnnxTensor.Int64(prefixed ? $"{Prefix}/{name}" : $"{name}", dims, [value]));
}
