namespace Ember.Models.Onnx;

/// <summary>A graph input or output: a name, an element type and a shape whose dimensions are
/// fixed sizes (<see cref="long"/>) or symbolic names (<see cref="string"/>).</summary>
/// <param name="Name">The value's name.</param>
/// <param name="DataType">The element type.</param>
/// <param name="Dims">Each dimension: a <see cref="long"/> size or a <see cref="string"/> symbol.</param>
internal sealed record OnnxValueInfo(string Name, OnnxDataType DataType, IReadOnlyList<object> Dims)
{
    /// <summary>Encodes the value as a <c>ValueInfoProto</c>.</summary>
    public ProtoWriter ToProto()
    {
        var shape = new ProtoWriter();
        foreach (var dim in Dims)
        {
            var dimension = new ProtoWriter();
            if (dim is string symbol)
            {
                dimension.WriteString(2, symbol);
            }
            else
            {
                dimension.WriteInt64(1, Convert.ToInt64(dim, System.Globalization.CultureInfo.InvariantCulture));
            }

            shape.WriteMessage(1, dimension);
        }

        var tensorType = new ProtoWriter();
        tensorType.WriteInt64(1, (int)DataType);
        tensorType.WriteMessage(2, shape);
        var type = new ProtoWriter();
        type.WriteMessage(1, tensorType);

        var proto = new ProtoWriter();
        proto.WriteString(1, Name);
        proto.WriteMessage(2, type);
        return proto;
    }
}
