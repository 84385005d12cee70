
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
    "CancelCashoutsResult": [
      "CancelCashoutsSuccess",
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
    "HoldCashoutsResult": [
      "HoldCashoutsSuccess",
      "ValidationError"
    ],
    "ReleaseCashoutResult": [
      "CashoutNotFoundError",
      "D24RequestError",
      "D24UnavailableError",
      "InvalidStatusTransitionError",
      "ReleaseCashoutSuccess",
      "ValidationError"
    ],
    "ReleaseCashoutsResult": [
      "ReleaseCashoutsSuccess",
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
    "CancelCashoutsResult": [
      "CancelCashoutsSuccess",
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
    "HoldCashoutsResult": [
      "HoldCashoutsSuccess",
      "ValidationError"
    ],
    "ReleaseCashoutResult": [
      "CashoutNotFoundError",
      "D24RequestError",
      "D24UnavailableError",
      "InvalidStatusTransitionError",
      "ReleaseCashoutSuccess",
      "ValidationError"
    ],
    "ReleaseCashoutsResult": [
      "ReleaseCashoutsSuccess",
      "ValidationError"
    ]
  }
};
      export default result;
    