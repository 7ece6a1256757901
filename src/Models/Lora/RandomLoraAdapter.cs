using System.Globalization;
using Ember.Models.Writing;

namespace Ember.Models.Lora;

/// <summary>
/// Writes PEFT adapters of pseudo-random factors for Ember's own models, as PEFT saves them
/// (<c>adapter_config.json</c>, <c>adapter_model.safetensors</c> in float32): what the tests and the benchmark serve.
/// </summary>
/// <remarks>Stateless and thread-safe. The same arguments always write the same bytes.</remarks>
public static class RandomLoraAdapter
{
    /// <summary>
    /// Writes an adapter of rank <paramref name="rank"/> on <paramref name="targets"/> of every layer of
    /// <paramref name="shape"/> into <paramref name="folder"/> (created if missing); its scale is <c>alpha / rank</c>
    /// and the product B·A has elements of about <paramref name="strength"/> / √(input features).
    /// </summary>
    public static void Write(string folder, LoraTargetShape shape, int rank, IReadOnlyList<LoraProjection> targets, ulong seed, float strength = 1f, double alpha = 16)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        Directory.CreateDirectory(folder);
        var config = new PeftAdapterConfig
        {
            R = rank,
            LoraAlpha = alpha,
            TargetModules = [.. targets.Select(LoraTargetShape.ModuleName)],
            BaseModelNameOrPath = "ember",
        };
        File.WriteAllText(Path.Combine(folder, PeftAdapterConfig.FileName), config.ToJson());

        // scale · Σ_r A·B over r terms: each factor of standard deviation √(strength / (scale · √(in · r))).
        var tensors = new List<(string, long[], float[])>();
        for (var layer = 0; layer < shape.Layers; layer++)
        {
            foreach (var projection in targets)
            {
                int k = shape.InputWidth(projection), n = shape.OutputWidth(projection);
                var deviation = MathF.Sqrt(strength / (float)(config.Scale * Math.Sqrt((double)k * rank)));
                var prefix = string.Create(CultureInfo.InvariantCulture, $"base_model.model.model.layers.{layer}.self_attn.{LoraTargetShape.ModuleName(projection)}");
                tensors.Add(($"{prefix}.lora_A.weight", [rank, k], new SeededRandom(seed, $"{prefix}.lora_A").Uniform(rank * k, deviation)));
                tensors.Add(($"{prefix}.lora_B.weight", [n, rank], new SeededRandom(seed, $"{prefix}.lora_B").Uniform(n * rank, deviation)));
            }
        }

        SafetensorsFile.Write(Path.Combine(folder, LoraAdapter.WeightsFileName), tensors);
    }
}
