namespace Ember.Host.Playground;

/// <summary>One file of the playground page, as the host serves it.</summary>
/// <param name="Name">The file name under <c>/playground/</c>.</param>
/// <param name="ContentType">Its media type, with the charset for text.</param>
/// <param name="Content">Its bytes.</param>
/// <param name="ETag">A strong entity tag of its bytes, quoted.</param>
internal sealed record PlaygroundAsset(string Name, string ContentType, ReadOnlyMemory<byte> Content, string ETag);
