namespace Ember.Models.Lora;

/// <summary>Reads an adapter's weights file whole, once its size is known to be within the limit.</summary>
/// <remarks>Stateless.</remarks>
internal static class AdapterFileBytes
{
    /// <summary>The bytes of the file at <paramref name="path"/>, called <paramref name="name"/> in messages.</summary>
    /// <exception cref="LoraAdapterException">The file is above <paramref name="maxBytes"/>.</exception>
    public static byte[] Read(string path, long maxBytes, string name)
    {
        var length = new FileInfo(path).Length;
        if (length > maxBytes)
        {
            throw new LoraAdapterException($"{name} is {length} bytes, above the limit of {maxBytes} bytes.");
        }

        return File.ReadAllBytes(path);
    }
}
