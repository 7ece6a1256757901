namespace Ember.Models.Onnx;

/// <summary>One operator in a graph (<c>NodeProto</c>).</summary>
/// <param name="OpType">The operator, e.g. <c>MatMul</c>.</param>
/// <param name="Name">The node's unique name.</param>
/// <param name="Inputs">Input value names; an empty string is an omitted optional input.</param>
/// <param name="Outputs">Output value names; an empty string is an unused optional output.</param>
/// <param name="Domain">The operator set's domain: empty for ONNX, <c>com.microsoft</c> for ONNX Runtime's contrib ops.</param>
/// <param name="Attributes">The node's attributes.</param>
internal sealed record OnnxNode(
    string OpType,
    string Name,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs,
    string Domain,
    IReadOnlyList<OnnxAttribute> Attributes)
{
    /// <summary>Encodes the node as a <c>NodeProto</c>.</summary>
    public ProtoWriter ToProto()
    {
        var proto = new ProtoWriter();
        foreach (var input in Inputs)
        {
            proto.WriteString(1, input);
        }

        foreach (var output in Outputs)
        {
            proto.WriteString(2, output);
        }

        proto.WriteString(3, Name);
        proto.WriteString(4, OpType);
        foreach (var attribute in Attributes)
        {
            proto.WriteMessage(5, attribute.ToProto());
        }

        if (Domain.Length > 0)
        {
            proto.WriteString(7, Domain);
        }

        return proto;
    }
}
