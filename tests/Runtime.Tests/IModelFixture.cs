namespace Ember.Runtime.Tests;

/// <summary>A collection's written model: the folder holding its variants, which <see cref="RuntimeHarness"/> serves.</summary>
public interface IModelFixture
{
    /// <summary>The folder holding fp32/fp16/int8/int4.</summary>
    string Root { get; }

    /// <summary>The folder of one variant.</summary>
    string Folder(string variant);
}
