using Ember.Models.Lora;
using Microsoft.ML.OnnxRuntime;

namespace Ember.Runtime.Engine;

/// <summary>
/// The adapters a decoder serves, stacked as its graph's LoRA inputs take them (<see cref="LoraGraphInputs"/>): adapter
/// j owns r_j columns; A [input, columns] holds each adapter's <c>Aᵀ</c>, B [columns, output] its <c>scale·Bᵀ</c>, zero
/// where it does not target a projection. Made once when the adapter set changes, so a step allocates nothing for it.
/// </summary>
/// <remarks>Owned by one <see cref="DecoderSession"/>; its tensors live as long as it does. Not thread-safe.</remarks>
internal sealed class LoraStack : IDisposable
{
    private readonly List<(string Name, OrtValue Value)> _inputs = [];

    /// <summary>Stacks <paramref name="adapters"/> (each already checked against <paramref name="shape"/>) in order: adapter j is row adapter j.</summary>
    public LoraStack(IReadOnlyList<LoraAdapter> adapters, LoraTargetShape shape)
    {
        ArgumentNullException.ThrowIfNull(adapters);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentOutOfRangeException.ThrowIfZero(adapters.Count);
        Count = adapters.Count;
        var columns = adapters.Sum(a => a.Rank);
        var owners = new long[columns];
        var offsets = new int[adapters.Count];
        for (int j = 0, offset = 0; j < adapters.Count; offset += adapters[j].Rank, j++)
        {
            offsets[j] = offset;
            owners.AsSpan(offset, adapters[j].Rank).Fill(j);
        }

        try
        {
            _inputs.Add((LoraGraphInputs.ColumnOwners, OrtValue.CreateTensorValueFromMemory(owners, [columns])));
            for (var layer = 0; layer < shape.Layers; layer++)
            {
                foreach (var projection in Enum.GetValues<LoraProjection>())
                {
                    int k = shape.InputWidth(projection), n = shape.OutputWidth(projection);
                    var a = new float[k * columns];
                    var b = new float[columns * n];
                    for (var j = 0; j < adapters.Count; j++)
                    {
                        var adapter = adapters[j];
                        if (adapter.Weights(layer, projection) is not { } w)
                        {
                            continue;
                        }

                        var rank = adapter.Rank;
                        var scale = (float)adapter.Scale;
                        for (var r = 0; r < rank; r++)
                        {
                            var column = offsets[j] + r;
                            for (var i = 0; i < k; i++)
                            {
                                a[(i * columns) + column] = w.A[(r * k) + i];
                            }

                            for (var o = 0; o < n; o++)
                            {
                                b[(column * n) + o] = scale * w.B[(o * rank) + r];
                            }
                        }
                    }

                    _inputs.Add((LoraGraphInputs.A(layer, projection), OrtValue.CreateTensorValueFromMemory(a, [k, columns])));
                    _inputs.Add((LoraGraphInputs.B(layer, projection), OrtValue.CreateTensorValueFromMemory(b, [columns, n])));
                }
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Adapters stacked; a row's adapter is in [0, Count).</summary>
    public int Count { get; }

    /// <summary>Binds every stacked input to <paramref name="binding"/>.</summary>
    public void Bind(OrtIoBinding binding)
    {
        ArgumentNullException.ThrowIfNull(binding);
        foreach (var (name, value) in _inputs)
        {
            binding.BindInput(name, value);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var (_, value) in _inputs)
        {
            value.Dispose();
        }

        _inputs.Clear();
    }
}
