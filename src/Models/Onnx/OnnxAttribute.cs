namespace Ember.Models.Onnx;

/// <summary>A node attribute (<c>AttributeProto</c>): an int, a float, a string, a list of ints or a tensor.</summary>
internal sealed class OnnxAttribute
{
    private const int FloatType = 1;
    private const int IntType = 2;
    private const int StringType = 3;
    private const int TensorType = 4;
    private const int IntsType = 7;

    private readonly Action<ProtoWriter> _writeValue;

    private OnnxAttribute(string name, int type, Action<ProtoWriter> writeValue)
    {
        Name = name;
        Type = type;
        _writeValue = writeValue;
    }

    /// <summary>The attribute's name.</summary>
    public string Name { get; }

    private int Type { get; }

    /// <summary>An integer attribute.</summary>
    public static OnnxAttribute Int(string name, long value) => new(name, IntType, p => p.WriteInt64(3, value));

    /// <summary>A float attribute.</summary>
    public static OnnxAttribute Float(string name, float value) => new(name, FloatType, p => p.WriteFloat(2, value));

    /// <summary>A string attribute (UTF-8 bytes).</summary>
    public static OnnxAttribute String(string name, string value) => new(name, StringType, p => p.WriteString(4, value));

    /// <summary>A list-of-integers attribute.</summary>
    public static OnnxAttribute Ints(string name, params long[] values) => new(name, IntsType, p => p.WritePackedInt64(8, values));

    /// <summary>A tensor attribute (for <c>Constant</c>).</summary>
    public static OnnxAttribute Tensor(string name, OnnxTensor value) => new(name, TensorType, p => p.WriteMessage(5, value.ToProto()));

    /// <summary>Encodes the attribute as an <c>AttributeProto</c>.</summary>
    public ProtoWriter ToProto()
    {
        var proto = new ProtoWriter();
        proto.WriteString(1, Name);
        _writeValue(proto);
        proto.WriteInt64(20, Type);
        return proto;
    }
}
