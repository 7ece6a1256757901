namespace Ember.Models.Lora;

/// <summary>The attention projections an adapter may target, as PEFT names them (<c>q_proj</c> … <c>o_proj</c>).</summary>
public enum LoraProjection
{
    /// <summary><c>q_proj</c>: hidden → heads × head size.</summary>
    Query,

    /// <summary><c>k_proj</c>: hidden → key/value heads × head size.</summary>
    Key,

    /// <summary><c>v_proj</c>: hidden → key/value heads × head size.</summary>
    Value,

    /// <summary><c>o_proj</c>: heads × head size → hidden.</summary>
    Output,
}
