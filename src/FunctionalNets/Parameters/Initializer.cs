using System.Numerics;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;

namespace FunctionalNets.Parameters;

/// <summary>Creates a parameter's initial value from its own key (derived from the root key and its path).</summary>
public delegate Tensor<T> Initializer<T>(Key key, Shape shape)
    where T : unmanaged, INumber<T>;
