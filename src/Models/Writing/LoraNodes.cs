using Ember.Models.Lora;
using Ember.Models.Onnx;

namespace Ember.Models.Writing;

/// <summary>
/// The nodes of a LoRA-capable graph (<see cref="LoraGraphInputs"/>): the inputs, each token's column mask, and each
/// projection's low-rank delta, all in float32.
/// </summary>
/// <remarks>Not thread-safe; one per graph, used while it is built.</remarks>
internal sealed class LoraNodes
{
    private const string Prefix = "/model/lora";
    private readonly OnnxGraph _graph;
    private readonly string _mask;

    private LoraNodes(OnnxGraph graph, string mask)
    {
        _graph = graph;
        _mask = mask;
    }

    /// <summary>
    /// Declares the row and column inputs and makes the mask [.., tokens, columns] (1 where a column belongs to the
    /// token's row's adapter) in the layout of the projections' inputs: packed by <paramref name="packing"/> when there is one.
    /// </summary>
    public static LoraNodes Build(OnnxGraph graph, string inputIds, PackedRows? packing)
    {
        graph.Input(LoraGraphInputs.RowAdapters, OnnxDataType.Int64, "lora_rows");
        var rows = graph.Initializer(OnnxTensor.Int64(LoraGraphInputs.RowAdapters, [1], [-1]));
        graph.Input(LoraGraphInputs.ColumnOwners, OnnxDataType.Int64, LoraGraphInputs.ColumnsDimension);
        var owners = graph.Initializer(OnnxTensor.Int64(LoraGraphInputs.ColumnOwners, [1], [-2]));
        var column = graph.Node("Unsqueeze", $"{Prefix}/RowColumn", [rows, graph.Initializer(OnnxTensor.Int64($"{Prefix}/axes_1", [1], [1]))]);
        var tokens = graph.Node("Expand", $"{Prefix}/TokenAdapters", [column, graph.Node("Shape", $"{Prefix}/InputShape", [inputIds])]);
        var laid = packing?.PackValues("LoraAdapters", tokens) ?? tokens;
        var owned = graph.Node("Equal", $"{Prefix}/Owned", [graph.Node("Unsqueeze", $"{Prefix}/TokenColumn", [laid, graph.Initializer(OnnxTensor.Int64($"{Prefix}/axes_last", [1], [-1]))]), owners]);
        return new LoraNodes(graph, graph.Node("Cast", $"{Prefix}/Mask", [owned], OnnxAttribute.Int("to", (int)OnnxDataType.Float)));
    }

    /// <summary>The delta of <paramref name="projection"/> in <paramref name="layer"/> for float32 input <paramref name="input"/> [.., tokens, <paramref name="inputWidth"/>].</summary>
    public string Delta(int layer, LoraProjection projection, string input, int inputWidth, int outputWidth)
    {
        var a = LoraGraphInputs.A(layer, projection);
        var b = LoraGraphInputs.B(layer, projection);
        _graph.Input(a, OnnxDataType.Float, (long)inputWidth, LoraGraphInputs.ColumnsDimension);
        _graph.Initializer(OnnxTensor.Float(a, [inputWidth, 1], new float[inputWidth]));
        _graph.Input(b, OnnxDataType.Float, LoraGraphInputs.ColumnsDimension, (long)outputWidth);
        _graph.Initializer(OnnxTensor.Float(b, [1, outputWidth], new float[outputWidth]));
        var name = $"/model/layers.{layer}/attn/{LoraTargetShape.ModuleName(projection)}/lora";
        var down = _graph.Node("MatMul", $"{name}/Down", [input, a]);
        var kept = _graph.Node("Mul", $"{name}/Masked", [down, _mask]);
        return _graph.Node("MatMul", $"{name}/Up", [kept, b]);
    }
}
