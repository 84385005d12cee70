
      export type PossibleTypesResultData = {
  "possibleTypes": {
    "CancelCashoutResult": [
      "CancelCashoutSuccess",
      "CashoutNotFoundError",
      "D24RequestError",
      "D24UnavailableError",
      "InvalidStatusTransitionError",
      "ValidationError"
    ],
    "CashoutEventsResult": [
      "CashoutEvent",
      "ValidationError"
    ],
    "CashoutLookupResult": [
      "Cashout",
      "CashoutNotFoundError",
      "D24RequestError",
      "D24UnavailableError",
      "ValidationError"
    ],
    "Error": [
      "CashoutNotFoundError",
      "D24RequestError",
      "D24UnavailableError",
      "InvalidStatusTransitionError",
      "ValidationError"
    ],
    "HoldCashoutResult": [
      "CashoutNotFoundError",
      "D24RequestError",
      "D24UnavailableError",
      "HoldCashoutSuccess",
      "InvalidStatusTransitionError",
      "ValidationError"
    ],
    "ReleaseCashoutResult": [
      "CashoutNotFoundError",
      "D24RequestError",
      "D24UnavailableError",
      "InvalidStatusTransitionError",
      "ReleaseCashoutSuccess",
      "ValidationError"
    ]
  }
};
      const result: PossibleTypesResultData = {
  "possibleTypes": {
    "CancelCashoutResult": [
      "CancelCashoutSuccess",
      "CashoutNotFoundError",
      "D24RequestError",
      "D24UnavailableError",
      "InvalidStatusTransitionError",
      "ValidationError"
    ],
    "CashoutEventsResult": [
      "CashoutEvent",
      "ValidationError"
    ],
    "CashoutLookupResult": [
      "Cashout",
      "CashoutNotFoundError",
      "D24RequestError",
      "D24UnavailableError",
      "ValidationError"
    ],
    "Error": [
      "CashoutNotFoundError",
      "D24RequestError",
      "D24UnavailableError",
      "InvalidStatusTransitionError",
      "ValidationError"
    ],
    "HoldCashoutResult": [
      "CashoutNotFoundError",
      "D24RequestError",
      "D24UnavailableError",
      "HoldCashoutSuccess",
      "InvalidStatusTransitionError",
      "ValidationError"
    ],
    "ReleaseCashoutResult": [
      "CashoutNotFoundError",
      "D24RequestError",
      "D24UnavailableError",
      "InvalidStatusTransitionError",
      "ReleaseCashoutSuccess",
      "ValidationError"
    ]
  }
};
      export default result;
    