/// Moving networks between devices.
extension Module {
    /// Moves every parameter and buffer to `device` in place, as `module.to(device)` in PyTorch: tensors keep
    /// their identity (optimizers and views of the state dict stay valid), their `requiresGrad` and their names.
    /// Tensors already on `device` are left alone. Optimizers should be made after the move (their state is made
    /// on the parameters' device).
    public func move(to device: Device) throws {
        for (_, tensor) in stateDict() {
            guard tensor.device != device else { continue }
            let grad = tensor.grad
            if grad != nil { try tensor.setGrad(nil) }
            try tensor.move(to: device)
            if let grad { try tensor.setGrad(grad.to(device: device)) }
        }
    }

    /// The device of the first parameter (or buffer); `.cpu` for a module without tensors.
    public var device: Device {
        stateDict().first?.tensor.device ?? .cpu
    }
}
